package io.cairn.chunker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Skipping holes must cut exactly the chunks that reading their zeros would. */
class ChunkReaderHolesTest {
  private static final int MIN = 2 << 10;
  private static final int AVG = 8 << 10;
  private static final int MAX = 32 << 10;

  /** Bytes where [from, to) pairs are holes; reads of holes are counted apart from data reads. */
  static final class HoleyStream extends InputStream implements ChunkReader.Holes {
    final byte[] data;
    final long[] holes;
    int pos;
    long holeBytesRead;
    long skipped;

    HoleyStream(byte[] data, long... holes) {
      this.data = data;
      this.holes = holes;
    }

    long holeEnd(int at) {
      for (int i = 0; i < holes.length; i += 2) {
        if (at >= holes[i] && at < holes[i + 1]) {
          return holes[i + 1];
        }
      }
      return -1;
    }

    @Override
    public long holeAhead() {
      long e = holeEnd(pos);
      return e < 0 ? 0 : e - pos;
    }

    @Override
    public int read() {
      throw new UnsupportedOperationException();
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (pos >= data.length) {
        return -1;
      }
      int n = Math.min(len, data.length - pos);
      for (int i = 0; i < n; i++) {
        if (holeEnd(pos + i) >= 0) {
          holeBytesRead++;
        }
      }
      System.arraycopy(data, pos, b, off, n);
      pos += n;
      return n;
    }

    @Override
    public long skip(long n) {
      long e = holeEnd(pos);
      assertThat(e).as("skip only inside a hole").isGreaterThanOrEqualTo(0);
      long k = Math.min(n, e - pos);
      pos += (int) k;
      skipped += k;
      return k;
    }
  }

  static List<long[]> layouts() {
    int m = MAX;
    return List.of(
        new long[] {0, 10L * m},                               // leading hole
        new long[] {3 * m + 17, 9L * m + 5},                   // hole in the middle, unaligned
        new long[] {5 * m, 12L * m},                           // hole to the end of the stream
        new long[] {m, 2L * m},                                // hole of exactly one maximum chunk
        new long[] {m + 3, 2L * m - 1},                        // hole shorter than a maximum chunk
        new long[] {0, 2L * m, 4L * m, 7L * m + 1, 9L * m, 12L * m}, // several
        new long[] {5 * m + 7, 35L * m});                      // long, as in a disk image
  }

  @ParameterizedTest
  @MethodSource("layouts")
  void holesCutTheSameChunksAsReadingZeros(long[] holes) throws Exception {
    byte[] data = new byte[40 * MAX];
    new Random(7).nextBytes(data);
    for (int i = 0; i < holes.length; i += 2) {
      java.util.Arrays.fill(data, (int) holes[i], (int) holes[i + 1], (byte) 0);
    }
    FastCdc cdc = new FastCdc(FastCdcTest.gear(3), MIN, AVG, MAX);
    List<byte[]> plain = new ArrayList<>();
    long plainTotal = new ChunkReader(cdc).split(new ByteArrayInputStream(data), plain::add);
    HoleyStream holey = new HoleyStream(data, holes);
    List<byte[]> skipping = new ArrayList<>();
    long total = new ChunkReader(cdc).split(holey, skipping::add, new byte[4096]);

    assertThat(total).isEqualTo(plainTotal).isEqualTo(data.length);
    assertThat(skipping).hasSameSizeAs(plain);
    for (int i = 0; i < plain.size(); i++) {
      assertThat(skipping.get(i)).as("chunk %d", i).isEqualTo(plain.get(i));
    }
    long longest = 0;
    for (int i = 0; i < holes.length; i += 2) {
      longest = Math.max(longest, holes[i + 1] - holes[i]);
    }
    if (longest >= 16L * MAX) {
      // Most of a long hole was passed over, not read.
      assertThat(holey.skipped).isGreaterThan(longest / 2);
      assertThat(holey.holeBytesRead).isLessThan(longest / 2);
    }
  }
}
