package io.cairn.chunker;

import java.io.IOException;

/** Receives each chunk; the array is owned by the receiver from then on. */
@FunctionalInterface
public interface ChunkSink {
  void accept(byte[] chunk) throws IOException, InterruptedException;
}
