package io.cairn.chunker;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/** Splits a stream into chunks with a {@link Chunker}, holding at most two maximum chunks. */
public final class ChunkReader {
  private final Chunker chunker;

  public ChunkReader(Chunker chunker) {
    this.chunker = chunker;
  }

  /** Feeds every chunk of {@code in} to {@code sink}; returns the number of bytes read. */
  public long split(InputStream in, ChunkSink sink) throws IOException, InterruptedException {
    return split(in, sink, Long.MAX_VALUE);
  }

  /**
   * As {@link #split(InputStream, ChunkSink)}, starting with a buffer sized for {@code sizeHint}
   * bytes (a small file does not need room for two maximum chunks); it grows if the hint is low.
   */
  public long split(InputStream in, ChunkSink sink, long sizeHint) throws IOException, InterruptedException {
    int max = chunker.maxSize();
    int full = Math.max(2 * max, 1 << 20);
    byte[] buf = new byte[(int) Math.min(full, Math.max(64 * 1024, sizeHint + 1))];
    int start = 0;
    int end = 0;
    boolean eof = false;
    long total = 0;
    while (true) {
      while (!eof && end - start < max) {
        if (buf.length - end < max && start > 0) {
          System.arraycopy(buf, start, buf, 0, end - start);
          end -= start;
          start = 0;
        }
        if (end == buf.length) {
          buf = Arrays.copyOf(buf, full);
        }
        int r = in.read(buf, end, buf.length - end);
        if (r < 0) {
          eof = true;
        } else {
          end += r;
          total += r;
        }
      }
      int avail = end - start;
      if (avail == 0) {
        return total;
      }
      int n = chunker.cut(buf, start, avail, eof);
      sink.accept(Arrays.copyOfRange(buf, start, start + n));
      start += n;
    }
  }
}
