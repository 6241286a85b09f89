package io.cairn.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Describes a directory tree bit for bit (contents, metadata, link structure) for comparison. */
final class TreeComparison {
  private TreeComparison() {}

  /** One line per entry, keyed by the hex of its raw relative path. */
  static Map<String, String> describe(Path root, boolean withOwners) throws IOException {
    Map<String, String> out = new TreeMap<>();
    Map<String, String> inodeGroups = new TreeMap<>();
    List<Path> all = new ArrayList<>();
    try (Stream<Path> s = Files.walk(root)) {
      s.forEach(all::add);
    }
    for (Path p : all) {
      if (p.equals(root)) {
        continue;
      }
      String rel = HexFormat.of().formatHex(RawPaths.bytes(root.relativize(p)));
      Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,size,lastModifiedTime,nlink,ino,rdev",
          LinkOption.NOFOLLOW_LINKS);
      int mode = (Integer) a.get("mode");
      StringBuilder d = new StringBuilder();
      d.append("type=").append(Integer.toOctalString(mode & 0170000));
      boolean symlink = (mode & 0170000) == 0120000;
      if (!symlink) {
        d.append(" mode=").append(Integer.toOctalString(mode & 07777));
      }
      if (withOwners) {
        d.append(" uid=").append(a.get("uid")).append(" gid=").append(a.get("gid"));
      }
      FileTime mt = (FileTime) a.get("lastModifiedTime");
      d.append(" mtime=").append(mt.toInstant());
      if ((mode & 0170000) == 0100000) {
        d.append(" size=").append(a.get("size")).append(" sha256=").append(sha256(p));
        d.append(" nlink=").append(a.get("nlink"));
        if ((Integer) a.get("nlink") > 1) {
          String group = inodeGroups.computeIfAbsent(String.valueOf(a.get("ino")), k -> rel);
          d.append(" linkgroup=").append(group);
        }
      }
      if (symlink) {
        d.append(" target=").append(HexFormat.of().formatHex(RawPaths.bytes(Files.readSymbolicLink(p))));
      }
      if ((mode & 0170000) == 0020000 || (mode & 0170000) == 0060000) {
        d.append(" rdev=").append(a.get("rdev"));
      }
      if (!symlink && ((mode & 0170000) == 0100000 || (mode & 0170000) == 0040000)) {
        for (var x : FileMetadata.xattrs(p)) {
          d.append(" xattr:").append(new String(x.name())).append('=').append(HexFormat.of().formatHex(x.value()));
        }
      }
      out.put(rel, d.toString());
    }
    return out;
  }

  static String sha256(Path p) throws IOException {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      try (var in = Files.newInputStream(p)) {
        byte[] buf = new byte[1 << 16];
        int r;
        while ((r = in.read(buf)) > 0) {
          md.update(buf, 0, r);
        }
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static void assertSameTree(Path expected, Path actual, boolean withOwners) throws IOException {
    assertThat(describe(actual, withOwners)).containsExactlyEntriesOf(describe(expected, withOwners));
  }

  /** Allocated bytes of a file, from stat(1). */
  static long allocatedBytes(Path p) throws IOException, InterruptedException {
    Process pr = new ProcessBuilder("stat", "-c", "%b %B", p.toString()).redirectErrorStream(true).start();
    String s = new String(pr.getInputStream().readAllBytes()).trim();
    pr.waitFor();
    String[] parts = s.split(" ");
    return Long.parseLong(parts[0]) * Long.parseLong(parts[1]);
  }
}
