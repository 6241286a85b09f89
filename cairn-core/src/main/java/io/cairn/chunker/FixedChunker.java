package io.cairn.chunker;

/** Fixed-size chunks, for disk images whose blocks move in place rather than shift. */
public final class FixedChunker implements Chunker {
  private final int size;

  public FixedChunker(int size) {
    if (size < 4096 || size > (64 << 20)) {
      throw new IllegalArgumentException("fixed chunk size must be between 4 KiB and 64 MiB, got " + size);
    }
    this.size = size;
  }

  @Override
  public int maxSize() {
    return size;
  }

  @Override
  public int cut(byte[] buf, int off, int len, boolean eof) {
    return Math.min(len, size);
  }
}
