package io.cairn.chunker;

/**
 * FastCDC content-defined chunking (Xia et al., "FastCDC: a Fast and Efficient Content-Defined
 * Chunking Approach for Data Deduplication", USENIX ATC 2016) with normalized chunking level 2:
 * a stricter mask before the average size and a looser one after it, which narrows the size
 * distribution. The gear table comes from the repository key, so boundaries do not reveal
 * content to someone who sees only chunk sizes.
 */
public final class FastCdc implements Chunker {
  private final long[] gear;
  private final int min;
  private final int avg;
  private final int max;
  private final long maskStrict;
  private final long maskLoose;

  public FastCdc(long[] gear, int min, int avg, int max) {
    if (gear.length != 256) {
      throw new IllegalArgumentException("gear table needs 256 entries");
    }
    if (min < 64 || !(min < avg && avg < max) || Integer.bitCount(avg) != 1) {
      throw new IllegalArgumentException("need 64 <= min < avg < max and avg a power of two; got "
          + min + "/" + avg + "/" + max);
    }
    this.gear = gear.clone();
    this.min = min;
    this.avg = avg;
    this.max = max;
    int bits = Integer.numberOfTrailingZeros(avg);
    // The high bits of a left-shifting gear hash depend on the most recent 64 bytes; take masks
    // from the top so every tested bit has seen a full window.
    this.maskStrict = topBits(bits + 2);
    this.maskLoose = topBits(Math.max(1, bits - 2));
  }

  private static long topBits(int n) {
    return n >= 64 ? -1L : ((1L << n) - 1) << (64 - n);
  }

  @Override
  public int maxSize() {
    return max;
  }

  @Override
  public int cut(byte[] buf, int off, int len, boolean eof) {
    if (len <= min) {
      return len;
    }
    int n = Math.min(len, max);
    int normal = Math.min(avg, n);
    long h = 0;
    int i = min;
    final long[] g = gear;
    // Start the hash 64 bytes before min so the first tested position has a full window.
    for (int k = Math.max(0, min - 64); k < min; k++) {
      h = (h << 1) + g[buf[off + k] & 0xff];
    }
    for (; i < normal; i++) {
      h = (h << 1) + g[buf[off + i] & 0xff];
      if ((h & maskStrict) == 0) {
        return i + 1;
      }
    }
    for (; i < n; i++) {
      h = (h << 1) + g[buf[off + i] & 0xff];
      if ((h & maskLoose) == 0) {
        return i + 1;
      }
    }
    return n;
  }
}
