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

  /**
   * The entry's metadata. Its extended attributes are taken from {@code previous} (the entry in
   * the last snapshot, or null) instead of asked for when it is the same inode of the same kind
   * with the same change time: setting or removing an attribute changes the ctime (xattr(7),
   * inode(7)), so they cannot differ. That saves a system call per unchanged entry.
   */
  Node read(Path p, byte[] name, Node previous) throws IOException {
    if (STAT != null) {
      java.nio.file.attribute.PosixFileAttributes a =
          Files.readAttributes(p, java.nio.file.attribute.PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (STAT.type().isInstance(a)) {
        return node(p, name, (int) STAT.mode().get(a), (int) STAT.uid().get(a), (int) STAT.gid().get(a),
            (long) STAT.mtimeSec().get(a), (int) (long) STAT.mtimeNsec().get(a),
            (long) STAT.ctimeSec().get(a), (int) (long) STAT.ctimeNsec().get(a), (long) STAT.ino().get(a),
            (long) STAT.dev().get(a), (int) STAT.nlink().get(a), (long) STAT.rdev().get(a), (long) STAT.size().get(a),
            previous);
      }
    }
    return readByName(p, name, previous);
  }

  /**
   * The JDK's own stat result, read field by field: {@code Files.readAttributes(p, "unix:...")}
   * builds a map of boxed values and parses the attribute list on every call, a large part of
   * a walk over many unchanged files. Null when the JDK's internals differ or are not opened to
   * this code ({@code --add-opens java.base/sun.nio.fs=ALL-UNNAMED}); then that slower way serves.
   */
  private record Stat(Class<?> type, java.lang.invoke.VarHandle mode, java.lang.invoke.VarHandle ino,
      java.lang.invoke.VarHandle dev, java.lang.invoke.VarHandle rdev, java.lang.invoke.VarHandle nlink,
      java.lang.invoke.VarHandle uid, java.lang.invoke.VarHandle gid, java.lang.invoke.VarHandle size,
      java.lang.invoke.VarHandle mtimeSec, java.lang.invoke.VarHandle mtimeNsec,
      java.lang.invoke.VarHandle ctimeSec, java.lang.invoke.VarHandle ctimeNsec) {
    static Stat load() {
      try {
        Class<?> c = Class.forName("sun.nio.fs.UnixFileAttributes");
        java.lang.invoke.MethodHandles.Lookup l =
            java.lang.invoke.MethodHandles.privateLookupIn(c, java.lang.invoke.MethodHandles.lookup());
        return new Stat(c, l.findVarHandle(c, "st_mode", int.class), l.findVarHandle(c, "st_ino", long.class),
            l.findVarHandle(c, "st_dev", long.class), l.findVarHandle(c, "st_rdev", long.class),
            l.findVarHandle(c, "st_nlink", int.class), l.findVarHandle(c, "st_uid", int.class),
            l.findVarHandle(c, "st_gid", int.class), l.findVarHandle(c, "st_size", long.class),
            l.findVarHandle(c, "st_mtime_sec", long.class), l.findVarHandle(c, "st_mtime_nsec", long.class),
            l.findVarHandle(c, "st_ctime_sec", long.class), l.findVarHandle(c, "st_ctime_nsec", long.class));
      } catch (ReflectiveOperationException | RuntimeException e) {
        return null;
      }
    }
  }

  private static final Stat STAT = Boolean.getBoolean("cairn.stat.portable") ? null : Stat.load();

  static boolean fastStat() {
    return STAT != null;
  }

  /** The portable way, through the JDK's "unix" attribute view. */
  Node readByName(Path p, byte[] name, Node previous) throws IOException {
    Map<String, Object> a = Files.readAttributes(p, ATTRS, LinkOption.NOFOLLOW_LINKS);
    Instant m = ((FileTime) a.get("lastModifiedTime")).toInstant();
    Instant c = ((FileTime) a.get("ctime")).toInstant();
    return node(p, name, (Integer) a.get("mode"), (Integer) a.get("uid"), (Integer) a.get("gid"),
        m.getEpochSecond(), m.getNano(), c.getEpochSecond(), c.getNano(), (Long) a.get("ino"), (Long) a.get("dev"),
        (Integer) a.get("nlink"), (Long) a.get("rdev"), (Long) a.get("size"), previous);
  }

  private Node node(Path p, byte[] name, int mode, int uid, int gid, long mtimeSec, int mtimeNanos,
      long ctimeSec, int ctimeNanos, long ino, long dev, int nlink, long rdev, long rawSize, Node previous)
      throws IOException {
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
    // Access times are not recorded: reading a file for the backup changes its atime, which
    // would make every tree differ from the last snapshot's. Restore sets atime to the mtime.
    byte[] target = kind == NodeKind.SYMLINK ? RawPaths.bytes(Files.readSymbolicLink(p)) : null;
    List<Xattr> xattrs;
    if (kind != NodeKind.FILE && kind != NodeKind.DIRECTORY) {
      xattrs = List.of();
    } else if (previous != null && previous.kind() == kind && previous.inode() == ino && previous.device() == dev
        && previous.ctimeSeconds() == ctimeSec && previous.ctimeNanos() == ctimeNanos) {
      xattrs = previous.xattrs();
    } else {
      xattrs = xattrs(p);
    }
    long size = kind == NodeKind.FILE ? rawSize : 0;
    return new Node(kind, name, mode & 07777, Integer.toUnsignedLong(uid), Integer.toUnsignedLong(gid),
        user(p, uid), group(p, gid), mtimeSec, mtimeNanos, mtimeSec, mtimeNanos,
        ctimeSec, ctimeNanos, ino, dev, nlink, rdev, size, xattrs, List.of(), null, target);
  }

  /** True when size or modification time now differ from {@code before} (one lstat, no xattrs). */
  static boolean changedSince(Path p, Node before) throws IOException {
    java.nio.file.attribute.BasicFileAttributes a =
        Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    Instant m = a.lastModifiedTime().toInstant();
    return a.size() != before.size() || m.getEpochSecond() != before.mtimeSeconds() || m.getNano() != before.mtimeNanos();
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
