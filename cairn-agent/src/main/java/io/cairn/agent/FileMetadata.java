package io.cairn.agent;

import io.cairn.format.Node;
import io.cairn.format.NodeKind;
import io.cairn.format.Xattr;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Reads a file-system entry's metadata into a {@link Node} (without content). */
final class FileMetadata {
  private static final String ATTRS = "unix:mode,ino,dev,rdev,nlink,uid,gid,ctime,lastModifiedTime,size";
  private final Map<Integer, String> users = new ConcurrentHashMap<>();
  private final Map<Integer, String> groups = new ConcurrentHashMap<>();

  Node read(Path p, byte[] name) throws IOException {
    Map<String, Object> a = Files.readAttributes(p, ATTRS, LinkOption.NOFOLLOW_LINKS);
    int mode = (Integer) a.get("mode");
    NodeKind kind = switch (mode & 0170000) {
      case 0100000 -> NodeKind.FILE;
      case 0040000 -> NodeKind.DIRECTORY;
      case 0120000 -> NodeKind.SYMLINK;
      case 0010000 -> NodeKind.FIFO;
      case 0020000 -> NodeKind.CHAR_DEVICE;
      case 0060000 -> NodeKind.BLOCK_DEVICE;
      case 0140000 -> NodeKind.SOCKET;
      default -> throw new IOException("unknown file type " + Integer.toOctalString(mode));
    };
    int uid = (Integer) a.get("uid");
    int gid = (Integer) a.get("gid");
    Instant m = ((FileTime) a.get("lastModifiedTime")).toInstant();
    // Access times are not recorded: reading a file for the backup changes its atime, which
    // would make every tree differ from the last snapshot's. Restore sets atime to the mtime.
    Instant at = m;
    Instant c = ((FileTime) a.get("ctime")).toInstant();
    byte[] target = kind == NodeKind.SYMLINK ? RawPaths.bytes(Files.readSymbolicLink(p)) : null;
    List<Xattr> xattrs = kind == NodeKind.FILE || kind == NodeKind.DIRECTORY ? xattrs(p) : List.of();
    long size = kind == NodeKind.FILE ? (Long) a.get("size") : 0;
    return new Node(kind, name, mode & 07777, Integer.toUnsignedLong(uid), Integer.toUnsignedLong(gid),
        user(p, uid), group(p, gid), m.getEpochSecond(), m.getNano(), at.getEpochSecond(), at.getNano(),
        c.getEpochSecond(), c.getNano(), (Long) a.get("ino"), (Long) a.get("dev"),
        ((Integer) a.get("nlink")).longValue(), (Long) a.get("rdev"), size, xattrs, List.of(), null, target);
  }

  private String user(Path p, int uid) {
    return users.computeIfAbsent(uid, u -> {
      try {
        return Files.getOwner(p, LinkOption.NOFOLLOW_LINKS).getName();
      } catch (IOException e) {
        return "";
      }
    });
  }

  private String group(Path p, int gid) {
    return groups.computeIfAbsent(gid, g -> {
      try {
        Object grp = Files.getAttribute(p, "posix:group", LinkOption.NOFOLLOW_LINKS);
        return grp instanceof java.security.Principal pr ? pr.getName() : "";
      } catch (IOException | UnsupportedOperationException e) {
        return "";
      }
    });
  }

  /** The {@code user.*} extended attributes (the JDK's view exposes that namespace). */
  static List<Xattr> xattrs(Path p) {
    if (Posix.xattrListSize(p) == 0) {
      return List.of(); // the common case, answered without opening the file
    }
    UserDefinedFileAttributeView v = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class);
    if (v == null) {
      return List.of();
    }
    try {
      List<String> names = v.list();
      if (names.isEmpty()) {
        return List.of();
      }
      List<Xattr> out = new ArrayList<>();
      for (String n : names) {
        ByteBuffer b = ByteBuffer.allocate(v.size(n));
        v.read(n, b);
        b.flip();
        byte[] val = new byte[b.remaining()];
        b.get(val);
        out.add(new Xattr(("user." + n).getBytes(StandardCharsets.UTF_8), val));
      }
      out.sort((x, y) -> java.util.Arrays.compareUnsigned(x.name(), y.name()));
      return out;
    } catch (IOException | UnsupportedOperationException e) {
      return List.of();
    }
  }
}
