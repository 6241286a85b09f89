package io.cairn.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.chunker.ChunkReader;
import io.cairn.chunker.FastCdc;
import io.cairn.format.ZeroRuns;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** All-zero chunks share a buffer and an id; nothing else may change because of that. */
class ZeroRunsTest {

  @Test
  void allZeroFindsAnyNonZeroByteAtEveryBoundary() {
    byte[] b = new byte[200_000];
    assertThat(ZeroRuns.allZero(b, 0, b.length)).isTrue();
    for (int p : new int[] {0, 1, 65_535, 65_536, 65_537, 131_072, 199_999}) {
      b[p] = 1;
      assertThat(ZeroRuns.allZero(b, 0, b.length)).as("byte %d", p).isFalse();
      assertThat(ZeroRuns.allZero(b, p + 1, b.length - p - 1)).as("after %d", p).isTrue();
      if (p > 0) {
        assertThat(ZeroRuns.allZero(b, 0, p)).as("before %d", p).isTrue();
      }
      b[p] = 0;
    }
    assertThat(ZeroRuns.zeros(12345)).hasSize(12345).containsOnly(0).isSameAs(ZeroRuns.zeros(12345));
  }

  @Test
  void allZeroOfANativeSegmentFindsAnyNonZeroByteAtEveryBoundary() {
    try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
      java.lang.foreign.MemorySegment s = arena.allocate(200_000);
      assertThat(ZeroRuns.allZero(s, 0, s.byteSize())).isTrue();
      for (int p : new int[] {0, 1, 65_535, 65_536, 65_537, 131_072, 199_999}) {
        s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, p, (byte) 1);
        assertThat(ZeroRuns.allZero(s, 0, s.byteSize())).as("byte %d", p).isFalse();
        assertThat(ZeroRuns.allZero(s, p + 1, s.byteSize() - p - 1)).as("after %d", p).isTrue();
        if (p > 0) {
          assertThat(ZeroRuns.allZero(s, 0, p)).as("before %d", p).isTrue();
        }
        s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, p, (byte) 0);
      }
    }
  }

  @Test
  void theCachedIdOfAZeroBlobIsItsHmac() {
    byte[] key = new byte[32];
    new Random(1).nextBytes(key);
    ChunkIdHasher h = new ChunkIdHasher(key);
    byte[] z = new byte[1 << 20];
    assertThat(h.id(z)).isEqualTo(h.mac(z, 0, z.length)).isEqualTo(h.id(z));
    byte[] almost = new byte[1 << 20];
    almost[777_777] = 3;
    assertThat(h.id(almost)).isEqualTo(h.mac(almost, 0, almost.length)).isNotEqualTo(h.id(z));
    assertThat(new ChunkIdHasher(new byte[32]).id(z)).as("keyed: another key, another id").isNotEqualTo(h.id(z));
  }

  @Test
  void chunkingAStreamWithHolesGivesBackExactlyTheStream() throws Exception {
    Random r = new Random(5);
    ByteArrayOutputStream s = new ByteArrayOutputStream();
    byte[] a = new byte[3 << 20];
    r.nextBytes(a);
    s.write(a);
    s.write(new byte[20 << 20]);
    byte[] c = new byte[1 << 20];
    r.nextBytes(c);
    s.write(c);
    byte[] all = s.toByteArray();
    long[] gear = new long[256];
    for (int i = 0; i < gear.length; i++) {
      gear[i] = r.nextLong();
    }
    ChunkReader reader = new ChunkReader(new FastCdc(gear, 16 << 10, 64 << 10, 256 << 10));
    List<byte[]> chunks = new ArrayList<>();
    reader.split(new ByteArrayInputStream(all), chunks::add, reader.newBuffer());
    ByteArrayOutputStream back = new ByteArrayOutputStream();
    int shared = 0;
    for (byte[] ch : chunks) {
      back.write(ch);
      if (ch.length > 0 && ZeroRuns.allZero(ch, 0, ch.length) && ch == ZeroRuns.zeros(ch.length)) {
        shared++;
      }
    }
    assertThat(back.toByteArray()).isEqualTo(all);
    assertThat(shared).as("the hole's chunks share one buffer").isGreaterThan(50);
    // The same boundaries as cutting every chunk the slow way.
    FastCdc cdc = new FastCdc(gear, 16 << 10, 64 << 10, 256 << 10);
    List<Integer> expected = new ArrayList<>();
    for (int off = 0; off < all.length; ) {
      int n = cdc.cut(all, off, all.length - off, true);
      expected.add(n);
      off += n;
    }
    assertThat(chunks.stream().map(ch -> ch.length).toList()).isEqualTo(expected);
  }
}
