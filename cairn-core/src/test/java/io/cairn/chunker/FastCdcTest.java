package io.cairn.chunker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class FastCdcTest {
  static long[] gear(long seed) {
    long[] g = new long[256];
    Random r = new Random(seed);
    for (int i = 0; i < 256; i++) {
      g[i] = r.nextLong();
    }
    return g;
  }

  static List<byte[]> chunks(Chunker c, byte[] data) throws Exception {
    List<byte[]> out = new ArrayList<>();
    new ChunkReader(c).split(new ByteArrayInputStream(data), out::add);
    return out;
  }

  static byte[] random(long seed, int n) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void chunksRespectBoundsAndReassemble(long seed) throws Exception {
    FastCdc c = new FastCdc(gear(seed), 16 << 10, 64 << 10, 256 << 10);
    byte[] data = random(seed * 31, 8 << 20);
    List<byte[]> cs = chunks(c, data);
    java.io.ByteArrayOutputStream joined = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < cs.size(); i++) {
      byte[] ch = cs.get(i);
      assertThat(ch.length).isLessThanOrEqualTo(256 << 10);
      if (i < cs.size() - 1) {
        assertThat(ch.length).isGreaterThanOrEqualTo(16 << 10);
      }
      joined.write(ch);
    }
    assertThat(joined.toByteArray()).isEqualTo(data);
    double avg = (double) data.length / cs.size();
    // Normalized chunking keeps the mean near the target (paper: within a small factor).
    assertThat(avg).isBetween(40.0 * 1024, 110.0 * 1024);
  }

  @Test
  void boundariesResynchronizeAfterAnInsertion() throws Exception {
    FastCdc c = new FastCdc(gear(9), 16 << 10, 64 << 10, 256 << 10);
    byte[] data = random(10, 4 << 20);
    byte[] edited = new byte[data.length + 100];
    System.arraycopy(data, 0, edited, 0, 1 << 20);
    System.arraycopy(random(11, 100), 0, edited, 1 << 20, 100);
    System.arraycopy(data, 1 << 20, edited, (1 << 20) + 100, data.length - (1 << 20));
    Set<String> before = hashes(chunks(c, data));
    List<byte[]> after = chunks(c, edited);
    long reused = after.stream().filter(ch -> before.contains(hash(ch))).count();
    // Only the chunk(s) around the edit are new.
    assertThat(after.size() - reused).isLessThanOrEqualTo(3);
  }

  @Test
  void boundariesDependOnTheKey() throws Exception {
    byte[] data = random(12, 4 << 20);
    Set<String> a = hashes(chunks(new FastCdc(gear(1), 16 << 10, 64 << 10, 256 << 10), data));
    Set<String> b = hashes(chunks(new FastCdc(gear(2), 16 << 10, 64 << 10, 256 << 10), data));
    Set<String> common = new HashSet<>(a);
    common.retainAll(b);
    assertThat(common.size()).isLessThan(a.size() / 4);
  }

  @Test
  void fixedChunkerCutsEvenly() throws Exception {
    List<byte[]> cs = chunks(new FixedChunker(1 << 20), random(13, (5 << 20) + 7));
    assertThat(cs).hasSize(6);
    assertThat(cs.get(5)).hasSize(7);
  }

  @Test
  void emptyInputHasNoChunks() throws Exception {
    assertThat(chunks(new FastCdc(gear(1), 16 << 10, 64 << 10, 256 << 10), new byte[0])).isEmpty();
  }

  static Set<String> hashes(List<byte[]> cs) {
    Set<String> s = new HashSet<>();
    for (byte[] c : cs) {
      s.add(hash(c));
    }
    return s;
  }

  static String hash(byte[] b) {
    return java.util.HexFormat.of().formatHex(io.cairn.crypto.Sha256.digest(b));
  }

  /** A stream that hands out at most {@code step} bytes per read, as pipes and sockets do. */
  static final class Trickle extends java.io.InputStream {
    private final byte[] data;
    private final int step;
    private int pos;

    Trickle(byte[] data, int step) {
      this.data = data;
      this.step = step;
    }

    @Override
    public int read() {
      return pos < data.length ? data[pos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (pos >= data.length) {
        return -1;
      }
      int n = Math.min(Math.min(len, step), data.length - pos);
      System.arraycopy(data, pos, b, off, n);
      pos += n;
      return n;
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 1000, 70_000, 300_000, 600_000})
  void aSmallStartingBufferGivesTheSameChunksAndGrowsAtMostToTwoMaximumChunks(int initial) throws Exception {
    FastCdc c = new FastCdc(gear(7), 16 << 10, 64 << 10, 256 << 10);
    for (int size : new int[] {0, 5, 16 << 10, 100_000, 700_000, 3_000_000}) {
      byte[] data = random(size, size);
      List<byte[]> expected = chunks(c, data);
      for (int step : new int[] {1 << 20, 4096, 777}) {
        List<byte[]> got = new ArrayList<>();
        ChunkReader r = new ChunkReader(c);
        long n = r.split(new Trickle(data, step), got::add, new byte[initial]);
        assertThat(n).isEqualTo(size);
        assertThat(got).hasSameSizeAs(expected);
        for (int k = 0; k < got.size(); k++) {
          assertThat(got.get(k)).as("size %d step %d chunk %d", size, step, k).isEqualTo(expected.get(k));
        }
        assertThat(r.buffer().length).isLessThanOrEqualTo(Math.max(initial, 2 * (256 << 10)));
      }
    }
  }
}
