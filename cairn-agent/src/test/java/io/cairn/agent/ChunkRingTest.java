package io.cairn.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ChunkRingTest {
  private static byte[] bytes(int seed, int n) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static byte[] content(ChunkRing.Slot s) {
    byte[] out = new byte[s.buffer().remaining()];
    s.buffer().get(s.buffer().position(), out);
    return out;
  }

  @Test
  void slotsHoldWhatWasCopiedInAndDoNotOverlap() throws Exception {
    ChunkRing ring = new ChunkRing(1000);
    byte[] a = bytes(1, 300);
    byte[] b = bytes(2, 500);
    ChunkRing.Slot sa = ring.acquire(a, 0, 300);
    ChunkRing.Slot sb = ring.acquire(b, 100, 400);
    assertThat(content(sa)).isEqualTo(a);
    assertThat(content(sb)).isEqualTo(java.util.Arrays.copyOfRange(b, 100, 500));
    assertThat(ring.inUse()).isEqualTo(700);
    sa.release();
    sa.release(); // twice does nothing
    assertThat(ring.inUse()).isEqualTo(400);
    sb.release();
    assertThat(ring.inUse()).isZero();
  }

  @Test
  void aChunkThatDoesNotFitBeforeTheEndStartsOverAtTheBeginning() throws Exception {
    ChunkRing ring = new ChunkRing(1000);
    ChunkRing.Slot first = ring.acquire(bytes(1, 600), 0, 600);
    ChunkRing.Slot keep = ring.acquire(bytes(2, 300), 0, 300); // 600..900
    first.release();
    byte[] c = bytes(3, 200);
    ChunkRing.Slot wrapped = ring.acquire(c, 0, 200); // 100 left at the end: skipped
    assertThat(wrapped.buffer().position()).isZero();
    assertThat(content(wrapped)).isEqualTo(c);
    assertThat(content(keep)).isEqualTo(bytes(2, 300)); // untouched by the new chunk
    assertThat(ring.inUse()).isEqualTo(300 + 100 + 200);
    keep.release();
    wrapped.release();
    assertThat(ring.inUse()).isZero();
  }

  @Test
  void spaceReturnsInOrderSoAnEarlierChunkHoldsBackLaterOnes() throws Exception {
    ChunkRing ring = new ChunkRing(1000);
    ChunkRing.Slot s1 = ring.acquire(bytes(1, 400), 0, 400);
    ChunkRing.Slot s2 = ring.acquire(bytes(2, 400), 0, 400);
    s2.release();
    assertThat(ring.inUse()).as("s1 still holds the start").isEqualTo(800);
    s1.release();
    assertThat(ring.inUse()).isZero();
  }

  @Test
  void aFullRingMakesTheReaderWaitUntilAChunkIsDone() throws Exception {
    ChunkRing ring = new ChunkRing(1000);
    ChunkRing.Slot s1 = ring.acquire(bytes(1, 700), 0, 700);
    CountDownLatch got = new CountDownLatch(1);
    List<ChunkRing.Slot> out = new ArrayList<>();
    Thread reader = Thread.ofPlatform().start(() -> {
      try {
        out.add(ring.acquire(bytes(2, 500), 0, 500));
        got.countDown();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    assertThat(got.await(200, TimeUnit.MILLISECONDS)).as("no room while the first chunk is held").isFalse();
    s1.release();
    assertThat(got.await(10, TimeUnit.SECONDS)).isTrue();
    reader.join();
    assertThat(content(out.get(0))).isEqualTo(bytes(2, 500));
  }

  @Test
  void manyThreadsReleasingInAnyOrderNeverSeeEachOthersBytes() throws Exception {
    ChunkRing ring = new ChunkRing(64 << 10);
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(3);
    List<java.util.concurrent.Future<Boolean>> checks = new ArrayList<>();
    Random rnd = new Random(7);
    for (int i = 0; i < 2000; i++) {
      byte[] b = bytes(i, 1 + rnd.nextInt(20_000));
      ChunkRing.Slot s = ring.acquire(b, 0, b.length);
      int delay = rnd.nextInt(3);
      checks.add(pool.submit(() -> {
        try {
          Thread.sleep(0, delay * 1000);
          return java.util.Arrays.equals(content(s), b);
        } finally {
          s.release();
        }
      }));
    }
    for (java.util.concurrent.Future<Boolean> f : checks) {
      assertThat(f.get()).isTrue();
    }
    pool.shutdown();
    assertThat(ring.inUse()).isZero();
  }

  @Test
  void aChunkLargerThanTheRingIsRefused() {
    ChunkRing ring = new ChunkRing(100);
    assertThatThrownBy(() -> ring.acquire(new byte[101], 0, 101)).isInstanceOf(IllegalArgumentException.class);
  }
}
