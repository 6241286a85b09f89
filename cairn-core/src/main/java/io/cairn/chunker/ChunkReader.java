package io.cairn.chunker;

import io.cairn.format.ZeroRuns;
import java.io.IOException;
import java.io.InputStream;

/** Splits a stream into chunks with a {@link Chunker}, holding at most two maximum chunks. */
public final class ChunkReader {
  private final Chunker chunker;

  public ChunkReader(Chunker chunker) {
    this.chunker = chunker;
  }

  /**
   * A stream that knows where its holes are (a sparse file): how many bytes from its position
   * read as zeros, which {@link InputStream#skip} then passes over without reading.
   */
  public interface Holes {
    long holeAhead() throws IOException;
  }

  /** Zero windows shorter than this are cut normally: not worth a lookup. */
  private static final int ZERO_RUN_MIN = 64 << 10;
  private final java.util.Map<Long, Integer> zeroCuts = new java.util.HashMap<>();

  private int zeroCut(int window, boolean eof) {
    long key = ((long) window << 1) | (eof ? 1 : 0);
    Integer n = zeroCuts.get(key);
    if (n == null) {
      n = chunker.cut(ZeroRuns.zeros(window), 0, window, eof);
      if (zeroCuts.size() < 64) {
        zeroCuts.put(key, n);
      }
    }
    return n;
  }

  /** Feeds every chunk of {@code in} to {@code sink}; returns the number of bytes read. */
  public long split(InputStream in, ChunkSink sink) throws IOException, InterruptedException {
    return split(in, sink, newBuffer());
  }

  /** A buffer that {@link #split(InputStream, ChunkSink, byte[])} can reuse across streams. */
  public byte[] newBuffer() {
    return new byte[Math.max(2 * chunker.maxSize(), 1 << 20)];
  }

  /**
   * As {@link #split(InputStream, ChunkSink)} with a caller-owned buffer, so that reading many
   * files does not allocate (and zero) a buffer for each. A buffer smaller than two maximum
   * chunks is enough for a small file; for a longer stream it is replaced by a larger one (up
   * to two maximum chunks), which {@link #buffer()} returns afterwards for reuse.
   * Reads are at most {@link #READ_SIZE} bytes: the JDK copies file reads into heap arrays
   * through a temporary direct buffer of the request's size, cached per platform thread.
   */
  public long split(InputStream in, ChunkSink sink, byte[] buffer) throws IOException, InterruptedException {
    int max = chunker.maxSize();
    byte[] buf = buffer;
    this.buf = buf;
    int start = 0;
    int end = 0;
    boolean eof = false;
    long total = 0;
    Holes holes = in instanceof Holes h ? h : null;
    while (true) {
      if (holes != null && !eof) {
        // Whole windows of a hole are cut without reading them: the same cuts, from the same
        // cached answer, as reading the zeros would give.
        long ahead = holes.holeAhead();
        int avail = end - start;
        if (ahead > 0 && avail + ahead >= max && ZeroRuns.allZero(buf, start, avail)) {
          int c = zeroCut(max, false);
          long zeros = avail + ahead;
          long consumed = 0;
          while (zeros - consumed >= max) {
            sink.accept(ZeroRuns.zeros(c));
            consumed += c;
          }
          if (consumed <= avail) {
            start += (int) consumed;
          } else {
            in.skipNBytes(consumed - avail);
            total += consumed - avail;
            start = 0;
            end = 0;
          }
          continue;
        }
      }
      while (!eof && end - start < max) {
        if (start > 0 && (end == buf.length || (buf.length >= 2 * max && buf.length - end < max))) {
          System.arraycopy(buf, start, buf, 0, end - start);
          end -= start;
          start = 0;
        } else if (end == buf.length) {
          // start == 0 and less than a maximum chunk buffered: a small buffer meets a long stream
          buf = java.util.Arrays.copyOf(buf, Math.min(2 * max, Math.max(2 * buf.length, 1 << 16)));
          this.buf = buf;
        }
        int r = in.read(buf, end, Math.min(READ_SIZE, buf.length - end));
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
      int window = Math.min(avail, max);
      // Inside a hole every chunk is the same: its cut is computed once per window size.
      boolean zeroWindow = window >= ZERO_RUN_MIN && ZeroRuns.allZero(buf, start, window);
      int n = zeroWindow ? zeroCut(window, eof) : chunker.cut(buf, start, avail, eof);
      // A chunk of zeros (a hole) shares one read-only buffer instead of a fresh copy.
      boolean zeroChunk = zeroWindow || ZeroRuns.allZero(buf, start, n);
      if (zeroChunk) {
        sink.accept(ZeroRuns.zeros(n));
      } else {
        sink.accept(buf, start, n);
      }
      start += n;
    }
  }

  public static final int READ_SIZE = 1 << 20;

  private byte[] buf;

  /** The buffer the last {@link #split(InputStream, ChunkSink, byte[])} used: the one given, or the larger one it grew into. */
  public byte[] buffer() {
    return buf;
  }
}
