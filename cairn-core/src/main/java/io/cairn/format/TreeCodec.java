package io.cairn.format;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Encodes a directory's entries as the plaintext of a tree blob (docs/format.md, "Trees").
 * Decoding enforces the invariants restore relies on: names are non-empty, contain neither '/'
 * nor NUL, are not "." or "..", and are strictly increasing as unsigned bytes (so no duplicates).
 */
public final class TreeCodec {
  public static final int VERSION = 1;
  static final int MAX_NAME = 4096;
  static final int MAX_LINK_TARGET = 1 << 16;
  static final int MAX_XATTRS = 1 << 12;
  static final int MAX_XATTR_VALUE = 1 << 20;
  static final int MAX_STRING = 1024;

  private TreeCodec() {}

  public static byte[] encode(List<Node> nodes) {
    List<Node> sorted = new ArrayList<>(nodes);
    sorted.sort((a, b) -> Arrays.compareUnsigned(a.name(), b.name()));
    // Sized exactly: a directory of 18,000 entries is a tree of 2.7 MB, and a buffer grown by
    // doubling and then trimmed would take three times that while it is written.
    long size = 1 + ByteWriter.varintSize(sorted.size());
    for (Node n : sorted) {
      size += encodedSize(n);
    }
    if (size > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("a tree of " + sorted.size() + " entries is too large to encode");
    }
    ByteWriter w = new ByteWriter((int) size);
    w.u8(VERSION);
    w.varint(sorted.size());
    for (int i = 1; i < sorted.size(); i++) {
      if (Arrays.equals(sorted.get(i - 1).name(), sorted.get(i).name())) {
        throw new IllegalArgumentException("duplicate name '" + sorted.get(i).displayName() + "' in a tree");
      }
    }
    for (Node n : sorted) {
      checkName(n.name(), "tree being written");
      w.u8(n.kind().code());
      w.lengthPrefixed(n.name());
      w.varint(n.mode() & 07777);
      w.varint(n.uid()).varint(n.gid());
      w.string(n.user() == null ? "" : n.user());
      w.string(n.group() == null ? "" : n.group());
      w.i64(n.mtimeSeconds()).u32(n.mtimeNanos());
      w.i64(n.atimeSeconds()).u32(n.atimeNanos());
      w.i64(n.ctimeSeconds()).u32(n.ctimeNanos());
      w.i64(n.inode()).i64(n.device()).varint(n.links()).i64(n.rdev()).varint(n.size());
      w.varint(n.xattrs().size());
      for (Xattr x : n.xattrs()) {
        w.lengthPrefixed(x.name()).lengthPrefixed(x.value());
      }
      switch (n.kind()) {
        case FILE -> {
          w.varint(n.content().size());
          for (Id id : n.content()) {
            w.id(id);
          }
        }
        case DIRECTORY -> w.id(n.subtree());
        case SYMLINK -> w.lengthPrefixed(n.linkTarget());
        case FIFO, CHAR_DEVICE, BLOCK_DEVICE, SOCKET -> { }
      }
    }
    if (w.length() != size) {
      throw new IllegalStateException("tree encoded to " + w.length() + " bytes, " + size + " computed");
    }
    return w.toByteArray();
  }

  /** The bytes {@link #encode} writes for one node. */
  private static long encodedSize(Node n) {
    long s = 1 + ByteWriter.lengthPrefixedSize(n.name().length) + ByteWriter.varintSize(n.mode() & 07777)
        + ByteWriter.varintSize(n.uid()) + ByteWriter.varintSize(n.gid())
        + ByteWriter.lengthPrefixedSize(utf8Length(n.user())) + ByteWriter.lengthPrefixedSize(utf8Length(n.group()))
        + 3 * (8 + 4) + 8 + 8 + ByteWriter.varintSize(n.links()) + 8 + ByteWriter.varintSize(n.size())
        + ByteWriter.varintSize(n.xattrs().size());
    for (Xattr x : n.xattrs()) {
      s += ByteWriter.lengthPrefixedSize(x.name().length) + ByteWriter.lengthPrefixedSize(x.value().length);
    }
    return s + switch (n.kind()) {
      case FILE -> ByteWriter.varintSize(n.content().size()) + (long) n.content().size() * Id.LENGTH;
      case DIRECTORY -> Id.LENGTH;
      case SYMLINK -> ByteWriter.lengthPrefixedSize(n.linkTarget().length);
      case FIFO, CHAR_DEVICE, BLOCK_DEVICE, SOCKET -> 0;
    };
  }

  private static int utf8Length(String s) {
    if (s == null) {
      return 0;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
      }
    }
    return s.length();
  }

  public static List<Node> decode(byte[] data, String resource) {
    ByteReader r = new ByteReader(data, resource);
    int version = r.u8();
    if (version > VERSION) {
      throw new FormatTooNewException(resource, version, VERSION);
    }
    if (version < 1) {
      throw new CorruptObjectException(resource, "invalid tree version " + version);
    }
    int count = r.varintBounded(data.length, "node count");
    List<Node> out = new ArrayList<>(Math.min(count, 1024));
    byte[] prev = null;
    for (int i = 0; i < count; i++) {
      NodeKind kind = NodeKind.fromCode(r.u8(), resource);
      byte[] name = r.lengthPrefixed(MAX_NAME, "name");
      try {
        checkName(name, resource);
      } catch (IllegalArgumentException e) {
        throw new CorruptObjectException(resource, e.getMessage());
      }
      if (prev != null && Arrays.compareUnsigned(prev, name) >= 0) {
        throw new CorruptObjectException(resource, "names not strictly sorted at entry " + i);
      }
      prev = name;
      int mode = r.varintBounded(07777, "mode");
      long uid = r.varint();
      long gid = r.varint();
      String user = r.string(MAX_STRING, "user");
      String group = r.string(MAX_STRING, "group");
      long mtime = r.i64();
      int mtimeN = nanos(r, resource);
      long atime = r.i64();
      int atimeN = nanos(r, resource);
      long ctime = r.i64();
      int ctimeN = nanos(r, resource);
      long inode = r.i64();
      long device = r.i64();
      long links = r.varint();
      long rdev = r.i64();
      long size = r.varint();
      int xc = r.varintBounded(MAX_XATTRS, "xattr count");
      List<Xattr> xattrs = new ArrayList<>(Math.min(xc, 16));
      for (int k = 0; k < xc; k++) {
        xattrs.add(new Xattr(r.lengthPrefixed(MAX_STRING, "xattr name"),
            r.lengthPrefixed(MAX_XATTR_VALUE, "xattr value")));
      }
      List<Id> content = List.of();
      Id subtree = null;
      byte[] target = null;
      switch (kind) {
        case FILE -> {
          int cc = r.varintBounded(r.remaining() / Id.LENGTH, "chunk count");
          List<Id> ids = new ArrayList<>(cc);
          for (int k = 0; k < cc; k++) {
            ids.add(r.id());
          }
          content = ids;
        }
        case DIRECTORY -> subtree = r.id();
        case SYMLINK -> target = r.lengthPrefixed(MAX_LINK_TARGET, "link target");
        case FIFO, CHAR_DEVICE, BLOCK_DEVICE, SOCKET -> { }
      }
      out.add(new Node(kind, name, mode, uid, gid, user, group, mtime, mtimeN, atime, atimeN, ctime,
          ctimeN, inode, device, links, rdev, size, xattrs, content, subtree, target));
    }
    r.expectEnd();
    return out;
  }

  private static int nanos(ByteReader r, String resource) {
    long n = r.u32();
    if (n > 999_999_999L) {
      throw new CorruptObjectException(resource, "nanoseconds out of range: " + n);
    }
    return (int) n;
  }

  /** Rejects names that could escape or confuse a restore target. */
  public static void checkName(byte[] name, String resource) {
    if (name.length == 0) {
      throw new IllegalArgumentException("empty file name in " + resource);
    }
    if ((name.length == 1 && name[0] == '.') || (name.length == 2 && name[0] == '.' && name[1] == '.')) {
      throw new IllegalArgumentException("file name '" + new String(name) + "' in " + resource
          + " would escape its directory");
    }
    for (byte b : name) {
      if (b == '/' || b == 0) {
        throw new IllegalArgumentException("file name containing '/' or NUL in " + resource);
      }
    }
  }
}
