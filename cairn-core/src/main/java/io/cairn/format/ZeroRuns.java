package io.cairn.format;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentHashMap;

/**
 * All-zero chunks (holes of sparse files and disk images, zeroed regions of databases) are
 * common and all alike: recognising them lets the pipeline reuse one read-only buffer and one id
 * per chunk length instead of allocating and hashing each one. The check stops at the first
 * non-zero byte, so it costs next to nothing on ordinary data.
 */
public final class ZeroRuns {
  private static final byte[] BLOCK = new byte[64 << 10];
  /** Chunk lengths seen in zero runs are few (mostly the chunker's maximum); bounded anyway. */
  private static final int MAX_CACHED = 64;
  private static final ConcurrentHashMap<Integer, byte[]> BUFFERS = new ConcurrentHashMap<>();

  private ZeroRuns() {}

  /** Whether {@code len} bytes of {@code b} from {@code off} are all zero. */
  public static boolean allZero(byte[] b, int off, int len) {
    java.util.Objects.checkFromIndexSize(off, len, b.length);
    return allZero(MemorySegment.ofArray(b), off, len);
  }

  private static final MemorySegment ZERO_SEGMENT = MemorySegment.ofArray(BLOCK);

  /** Whether {@code len} bytes of {@code seg} (heap or native) from {@code off} are all zero. */
  public static boolean allZero(MemorySegment seg, long off, long len) {
    long end = off + len;
    for (long p = off; p < end; p += BLOCK.length) {
      long n = Math.min(BLOCK.length, end - p);
      if (MemorySegment.mismatch(seg, p, p + n, ZERO_SEGMENT, 0, n) >= 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * A zero-filled array of {@code n} bytes, shared: callers must never write into it (the
   * backup pipeline only reads chunks).
   */
  public static byte[] zeros(int n) {
    byte[] z = BUFFERS.get(n);
    if (z != null) {
      return z;
    }
    z = new byte[n];
    if (BUFFERS.size() < MAX_CACHED) {
      BUFFERS.putIfAbsent(n, z);
    }
    return z;
  }
}
