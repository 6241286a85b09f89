package io.cairn.chunker;

/** Decides where chunks end. Implementations are stateless and thread-safe. */
public sealed interface Chunker permits FastCdc, FixedChunker {
  /**
   * Length of the next chunk starting at {@code off}, given {@code len} available bytes. When
   * {@code eof} is false the caller guarantees {@code len >= maxSize()}.
   */
  int cut(byte[] buf, int off, int len, boolean eof);

  int maxSize();
}
