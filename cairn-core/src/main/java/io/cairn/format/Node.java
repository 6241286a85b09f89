package io.cairn.format;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One entry of a directory tree. Names and link targets are raw bytes: Unix file names need not
 * be valid UTF-8 and must round-trip exactly.
 *
 * @param mode permission bits including setuid/setgid/sticky (07777), not the file-type bits
 * @param content chunk ids of a file, in order (empty otherwise)
 * @param subtree tree blob id of a directory (null otherwise)
 * @param linkTarget target bytes of a symlink (null otherwise)
 */
public record Node(
    NodeKind kind,
    byte[] name,
    int mode,
    long uid,
    long gid,
    String user,
    String group,
    long mtimeSeconds,
    int mtimeNanos,
    long atimeSeconds,
    int atimeNanos,
    long ctimeSeconds,
    int ctimeNanos,
    long inode,
    long device,
    long links,
    long rdev,
    long size,
    List<Xattr> xattrs,
    List<Id> content,
    Id subtree,
    byte[] linkTarget) {

  public Node {
    xattrs = List.copyOf(xattrs);
    content = List.copyOf(content);
  }

  /** The name for display; invalid UTF-8 is shown with replacement characters. */
  public String displayName() {
    return new String(name, StandardCharsets.UTF_8);
  }

  public Node withSubtree(Id id) {
    return new Node(kind, name, mode, uid, gid, user, group, mtimeSeconds, mtimeNanos, atimeSeconds,
        atimeNanos, ctimeSeconds, ctimeNanos, inode, device, links, rdev, size, xattrs, content, id,
        linkTarget);
  }

  public Node withContent(List<Id> chunks, long newSize) {
    return new Node(kind, name, mode, uid, gid, user, group, mtimeSeconds, mtimeNanos, atimeSeconds,
        atimeNanos, ctimeSeconds, ctimeNanos, inode, device, links, rdev, newSize, xattrs, chunks,
        subtree, linkTarget);
  }
}
