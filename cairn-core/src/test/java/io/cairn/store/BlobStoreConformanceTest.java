package io.cairn.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.format.ObjectNotFoundException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The contract in {@link BlobStore}'s Javadoc, checked against one implementation. Extend it
 * with {@link #newStore}; every store (file system, S3, remote) must pass all of it, because the
 * repository's crash-safety argument assumes exactly these guarantees.
 */
public abstract class BlobStoreConformanceTest {
  private static final int LARGE = 20 << 20;
  private static final int WRITERS = 8;

  @TempDir
  protected Path tempDir;

  /** The store under test, opened before each test on a fresh {@link #tempDir}. */
  protected BlobStore store;

  /** A new, empty store; {@code tempDir} is empty and removed after the test. */
  protected abstract BlobStore newStore(Path tempDir);

  @BeforeEach
  void openStore() {
    store = newStore(tempDir);
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  protected static byte[] payload(long seed, int length) {
    byte[] b = new byte[length];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void putIfAbsentWritesOnceAndNeverReplaces() {
    byte[] first = payload(1, 1000);

    assertThat(store.putIfAbsent("data/ab/k1", first)).isTrue();
    assertThat(store.putIfAbsent("data/ab/k1", payload(2, 1000))).isFalse();
    assertThat(store.putIfAbsent("data/ab/k1", new byte[0])).isFalse();

    assertThat(store.get("data/ab/k1")).isEqualTo(first);
    assertThat(store.size("data/ab/k1")).contains(1000L);
  }

  @Test
  void aSpoolFileIsStoredOnceAndConsumedEitherWay() throws Exception {
    byte[] data = payload(21, 3 << 20);
    Path spool = store.createSpoolFile();
    java.nio.file.Files.write(spool, data);
    assertThat(store.putIfAbsent("data/ab/spooled", spool)).isTrue();
    assertThat(spool).doesNotExist();
    assertThat(store.get("data/ab/spooled")).isEqualTo(data);

    Path again = store.createSpoolFile();
    java.nio.file.Files.write(again, payload(22, 10));
    assertThat(store.putIfAbsent("data/ab/spooled", again)).isFalse();
    assertThat(again).doesNotExist();
    assertThat(store.get("data/ab/spooled")).isEqualTo(data);

    // A file from elsewhere is stored too.
    Path foreign = java.nio.file.Files.createTempFile("foreign", ".bin");
    java.nio.file.Files.write(foreign, payload(23, 100));
    assertThat(store.putIfAbsent("index/foreign", foreign)).isTrue();
    assertThat(store.get("index/foreign")).isEqualTo(payload(23, 100));
    assertThat(foreign).doesNotExist();
    assertThat(store.list("")).extracting(StoreEntry::key).containsExactlyInAnyOrder("data/ab/spooled", "index/foreign");
  }

  @Test
  void getAndGetRangeReturnExactBytes() {
    byte[] data = payload(3, 4096);
    store.putIfAbsent("index/i1", data);

    assertThat(store.get("index/i1")).isEqualTo(data);
    assertThat(store.getRange("index/i1", 0, 4096)).isEqualTo(data);
    assertThat(store.getRange("index/i1", 100, 200)).isEqualTo(Arrays.copyOfRange(data, 100, 300));
    assertThat(store.getRange("index/i1", 4095, 1)).containsExactly(data[4095]);
    assertThat(store.getRange("index/i1", 4096, 0)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void readRangeFillsABufferFromItsPosition(boolean direct) {
    byte[] data = payload(33, 3 << 20);
    store.putIfAbsent("data/ab/r1", data);
    java.nio.ByteBuffer b = direct ? java.nio.ByteBuffer.allocateDirect(data.length + 10)
        : java.nio.ByteBuffer.allocate(data.length + 10);

    b.position(7).limit(7 + data.length - 5);
    store.readRange("data/ab/r1", 5, b);

    assertThat(b.position()).isEqualTo(7 + data.length - 5);
    b.limit(b.capacity());
    byte[] got = new byte[data.length - 5];
    b.get(7, got);
    assertThat(got).isEqualTo(Arrays.copyOfRange(data, 5, data.length));
    assertThat(b.get(6)).isZero();
    assertThat(b.get(7 + data.length - 5)).isZero();
  }

  @Test
  void readRangeFailsLikeGetRange() {
    store.putIfAbsent("data/ab/r2", payload(34, 100));
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocateDirect(101);

    assertThatThrownBy(() -> store.readRange("data/ab/r2", 0, b.clear())).isInstanceOf(StoreException.class);
    assertThatThrownBy(() -> store.readRange("data/ab/r2", 99, b.clear().limit(2))).isInstanceOf(StoreException.class);
    assertThatThrownBy(() -> store.readRange("data/ab/r2", 101, b.clear().limit(0))).isInstanceOf(StoreException.class);
    assertThatThrownBy(() -> store.readRange("data/ab/none", 0, b.clear().limit(1)))
        .isInstanceOf(ObjectNotFoundException.class);
    assertThatThrownBy(() -> store.readRange("../x", 0, b.clear().limit(1))).isInstanceOf(IllegalArgumentException.class);
    store.readRange("data/ab/r2", 100, b.clear().limit(0));
    assertThat(b.position()).isZero();
  }

  @Test
  void emptyObjectsExist() {
    assertThat(store.putIfAbsent("config", new byte[0])).isTrue();

    assertThat(store.get("config")).isEmpty();
    assertThat(store.size("config")).contains(0L);
    assertThat(store.list("")).containsExactly(new StoreEntry("config", 0));
    assertThat(store.putIfAbsent("config", utf8("x"))).isFalse();
  }

  @Test
  void getRangeBeyondTheEndFails() {
    store.putIfAbsent("index/i1", payload(4, 100));

    assertThatThrownBy(() -> store.getRange("index/i1", 99, 2)).isInstanceOf(StoreException.class);
    assertThatThrownBy(() -> store.getRange("index/i1", 0, 101)).isInstanceOf(StoreException.class);
    assertThatThrownBy(() -> store.getRange("index/i1", 101, 0)).isInstanceOf(StoreException.class);
    assertThatThrownBy(() -> store.getRange("index/i1", 1000, 10)).isInstanceOf(StoreException.class);
  }

  @Test
  void missingObjectsAreNotFound() {
    store.putIfAbsent("data/ab/other", payload(5, 10));

    assertThatThrownBy(() -> store.get("data/ab/missing")).isInstanceOf(ObjectNotFoundException.class);
    assertThatThrownBy(() -> store.getRange("data/ab/missing", 0, 1))
        .isInstanceOf(ObjectNotFoundException.class);
    assertThatThrownBy(() -> store.get("never/used/dir")).isInstanceOf(ObjectNotFoundException.class);
    assertThat(store.size("data/ab/missing")).isEmpty();
    assertThat(store.size("never/used/dir")).isEmpty();
  }

  /**
   * A key that is only a prefix of stored keys ("a" while "a/b" exists) names no object. A store
   * that maps keys to paths must not mistake the directory for one, and must never answer a put
   * with "exists" (false) when nothing is stored: the repository would drop the data.
   */
  @Test
  void aKeyThatIsOnlyAPrefixOfOthersIsMissing() {
    store.putIfAbsent("snapshots/s1/part", payload(6, 10));

    assertThat(store.size("snapshots/s1")).isEmpty();
    assertThatThrownBy(() -> store.get("snapshots/s1")).isInstanceOf(ObjectNotFoundException.class);
    assertThatThrownBy(() -> store.getRange("snapshots/s1", 0, 1))
        .isInstanceOf(ObjectNotFoundException.class);
    assertThat(store.delete("snapshots/s1")).isFalse();
    assertThat(store.list("snapshots/")).extracting(StoreEntry::key).containsExactly("snapshots/s1/part");

    store.delete("snapshots/s1/part");
    byte[] data = payload(7, 10);
    assertThat(store.putIfAbsent("snapshots/s1", data)).isTrue();
    assertThat(store.get("snapshots/s1")).isEqualTo(data);
  }

  @Test
  void listReturnsExactlyTheKeysUnderAPrefixWithSizes() {
    store.putIfAbsent("data/ab/k1", payload(7, 10));
    store.putIfAbsent("data/cd/k2", payload(8, 20));
    store.putIfAbsent("database/k3", payload(9, 30));
    store.putIfAbsent("index/i1", payload(10, 40));
    store.putIfAbsent("config", payload(11, 50));

    assertThat(store.list("data/")).containsExactlyInAnyOrder(
        new StoreEntry("data/ab/k1", 10), new StoreEntry("data/cd/k2", 20));
    assertThat(store.list("data/ab/")).containsExactly(new StoreEntry("data/ab/k1", 10));
    assertThat(store.list("index/")).containsExactly(new StoreEntry("index/i1", 40));
    assertThat(store.list("snapshots/")).isEmpty();
    // The whole store: no temporary or bookkeeping files of the implementation show up.
    assertThat(store.list("")).containsExactlyInAnyOrder(
        new StoreEntry("data/ab/k1", 10), new StoreEntry("data/cd/k2", 20),
        new StoreEntry("database/k3", 30), new StoreEntry("index/i1", 40),
        new StoreEntry("config", 50));
  }

  @ParameterizedTest
  @ValueSource(strings = {"a", "0/1/2/3", "a-b_c/d", "keys/tmp", "x0123456789abcdef"})
  void everyValidKeyShapeWorks(String key) {
    assertRoundTrips(key);
  }

  /**
   * StoreKeys accepts "tmp" and "tmp/..." like any other key, so a store must not reserve them
   * for its own temporary files.
   */
  @ParameterizedTest
  @ValueSource(strings = {"tmp", "tmp/x"})
  void keysNamedLikeTemporaryFilesAreOrdinaryKeys(String key) {
    assertRoundTrips(key);
  }

  private void assertRoundTrips(String key) {
    // An earlier write makes implementations create whatever scratch space they use.
    store.putIfAbsent("index/first", payload(12, 5));
    byte[] data = payload(key.hashCode(), 33);

    assertThat(store.putIfAbsent(key, data)).as("first put of %s", key).isTrue();
    assertThat(store.get(key)).isEqualTo(data);
    assertThat(store.list("")).contains(new StoreEntry(key, 33));
    assertThat(store.delete(key)).isTrue();
    assertThat(store.list("")).containsExactly(new StoreEntry("index/first", 5));
  }

  @Test
  void deleteRemovesOnceAndTheKeyCanBeWrittenAgain() {
    store.putIfAbsent("snapshots/s1", payload(13, 10));

    assertThat(store.delete("snapshots/s1")).isTrue();
    assertThat(store.delete("snapshots/s1")).isFalse();
    assertThat(store.delete("snapshots/never")).isFalse();
    assertThat(store.size("snapshots/s1")).isEmpty();
    assertThatThrownBy(() -> store.get("snapshots/s1")).isInstanceOf(ObjectNotFoundException.class);
    assertThat(store.list("snapshots/")).isEmpty();

    byte[] again = payload(14, 12);
    assertThat(store.putIfAbsent("snapshots/s1", again)).isTrue();
    assertThat(store.get("snapshots/s1")).isEqualTo(again);
  }

  @ParameterizedTest
  @ValueSource(strings = {"../x", "/abs", "A", "a//b", "", "a/../b", "a/", "a b", "a/b/c/d/e"})
  void invalidKeysAreRejected(String key) {
    byte[] data = payload(15, 3);

    assertThatThrownBy(() -> store.putIfAbsent(key, data)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.get(key)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.getRange(key, 0, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.size(key)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.delete(key)).isInstanceOf(IllegalArgumentException.class);
    assertThat(store.list("")).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"../", "/", "A/", "data", "/data/"})
  void invalidPrefixesAreRejected(String prefix) {
    assertThatThrownBy(() -> store.list(prefix)).isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * Writers race on one key while a reader polls it: exactly one writer wins, the object is that
   * writer's whole payload, and the reader never sees anything else (no partial object).
   */
  @Test
  @Timeout(60)
  void concurrentPutsOfOneKeyHaveExactlyOneWinner() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS + 1);
    try {
      for (int round = 0; round < 10; round++) {
        String key = "data/zz/race" + round;
        List<byte[]> payloads = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
          payloads.add(payload(round * 100L + w, 256 << 10));
        }
        CyclicBarrier start = new CyclicBarrier(WRITERS + 1);
        AtomicBoolean done = new AtomicBoolean();
        Future<List<byte[]>> reader = pool.submit(() -> {
          start.await();
          List<byte[]> seen = new ArrayList<>();
          while (!done.get()) {
            try {
              seen.add(store.get(key));
            } catch (ObjectNotFoundException e) {
              // not written yet
            }
          }
          return seen;
        });
        List<Future<Boolean>> writes = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
          byte[] mine = payloads.get(w);
          writes.add(pool.submit(() -> {
            start.await();
            return store.putIfAbsent(key, mine);
          }));
        }
        List<Integer> winners = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
          if (writes.get(w).get(30, TimeUnit.SECONDS)) {
            winners.add(w);
          }
        }
        done.set(true);
        List<byte[]> seen = reader.get(30, TimeUnit.SECONDS);

        assertThat(winners).as("writers whose putIfAbsent returned true").hasSize(1);
        byte[] expected = payloads.get(winners.getFirst());
        assertThat(store.get(key)).isEqualTo(expected);
        for (byte[] s : seen) {
          assertThat(s).as("object seen by a concurrent reader").isEqualTo(expected);
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void largeObjectsRoundTrip() {
    byte[] big = payload(16, LARGE);

    assertThat(store.putIfAbsent("data/ff/big", big)).isTrue();

    assertThat(store.size("data/ff/big")).contains((long) LARGE);
    assertThat(Arrays.equals(store.get("data/ff/big"), big)).as("20 MiB object read back").isTrue();
    byte[] tail = store.getRange("data/ff/big", LARGE - (1 << 20), 1 << 20);
    assertThat(Arrays.equals(tail, 0, tail.length, big, LARGE - (1 << 20), LARGE)).isTrue();
  }

  @Test
  void locationIsDescribed() {
    assertThat(store.location()).isNotBlank();
  }
}
