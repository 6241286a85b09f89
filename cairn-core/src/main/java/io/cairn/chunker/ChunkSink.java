package io.cairn.chunker;

import java.io.IOException;

/** Receives each chunk of a stream, in order. */
@FunctionalInterface
public interface ChunkSink {
  /**
   * Receives a chunk in an array of its own, which no one writes afterwards. An all-zero chunk
   * comes in a shared read-only array ({@link io.cairn.format.ZeroRuns#zeros}).
   */
  void accept(byte[] chunk) throws IOException, InterruptedException;

  /**
   * Receives a chunk as {@code len} bytes of the reader's buffer from {@code off}, valid only
   * during this call: the reader reuses the buffer afterwards. A sink that copies the bytes
   * into memory of its own overrides this; by default a copy goes to {@link #accept(byte[])}.
   */
  default void accept(byte[] buffer, int off, int len) throws IOException, InterruptedException {
    accept(java.util.Arrays.copyOfRange(buffer, off, off + len));
  }
}
