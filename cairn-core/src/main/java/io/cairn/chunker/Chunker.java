package io.cairn.chunker;

/** Decides where chunks end. Implementations are stateless and thread-safe. */
public sealed interface Chunker permits FastCdc, FixedChunker {
  /**
   * Length of the next chunk starting at {@code off}, given {@code len} available bytes. When
   * {@code eof} is false the caller guarantees {@code len >= maxSize()}. The answer depends only
   * on the first {@code min(len, maxSize())} bytes, on that number and on {@code eof}:
   * {@link ChunkReader} relies on it to compute the cut over a run of zeros once.
   */
  int cut(byte[] buf, int off, int len, boolean eof);

  int maxSize();
}
