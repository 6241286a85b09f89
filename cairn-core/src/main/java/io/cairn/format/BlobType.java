package io.cairn.format;

/** What a blob in a pack holds. File contents and trees are kept in separate packs. */
public enum BlobType {
  DATA(0),
  TREE(1);

  private final int code;

  BlobType(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  public static BlobType fromCode(int code, String resource) {
    return switch (code) {
      case 0 -> DATA;
      case 1 -> TREE;
      default -> throw new CorruptObjectException(resource, "unknown blob type " + code);
    };
  }
}
