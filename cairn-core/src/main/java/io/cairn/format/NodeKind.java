package io.cairn.format;

/** The kind of a file-system entry in a tree. */
public enum NodeKind {
  FILE(1),
  DIRECTORY(2),
  SYMLINK(3),
  FIFO(4),
  CHAR_DEVICE(5),
  BLOCK_DEVICE(6),
  SOCKET(7);

  private final int code;

  NodeKind(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  public static NodeKind fromCode(int code, String resource) {
    for (NodeKind k : values()) {
      if (k.code == code) {
        return k;
      }
    }
    throw new CorruptObjectException(resource, "unknown node kind " + code);
  }
}
