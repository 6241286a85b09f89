package io.cairn.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.format.ObjectNotFoundException;
import io.cairn.store.Handle.Kind;
import io.cairn.store.StoreSamples.Sample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
 * The contract in {@link BlobStore}'s Javadoc, checked against one implementation on the objects
 * a repository holds (packs, index segments, snapshots, key files, session markers), each drawn
 * from {@link #samples}. Every store passes it: a directory and a bucket with any bytes, a vault
 * server's object API ({@link HttpStore}) with well-formed objects, since the server refuses
 * anything else. Stores that take any key and any bytes also pass {@link RawStoreConformanceTest}.
 * The repository's crash-safety argument assumes exactly these guarantees.
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

  /** The objects this store is tested with: any bytes, unless it checks what it stores. */
  protected StoreSamples samples() {
    return StoreSamples.ANY_BYTES;
  }

  @BeforeEach
  void openStore() {
    store = newStore(tempDir);
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  protected static byte[] payload(long seed, int length) {
    return StoreSamples.random(seed, length);
  }

  protected Sample sample(Kind kind, long seed, int size) {
    return samples().make(kind, seed, size);
  }

  private Path spooled(byte[] bytes) throws Exception {
    Path spool = store.createSpoolFile();
    Files.write(spool, bytes);
    return spool;
  }

  @Test
  void putIfAbsentWritesOnceAndNeverReplaces() {
    Sample first = sample(Kind.KEY, 1, 1000);
    Sample second = samples().other(first, 2);
    assertThat(second.bytes()).isNotEqualTo(first.bytes());

    assertThat(store.putIfAbsent(first.key(), first.bytes())).isTrue();
    assertThat(store.putIfAbsent(first.key(), second.bytes())).isFalse();
    assertThat(store.putIfAbsent(first.key(), first.bytes())).isFalse();

    assertThat(store.get(first.key())).isEqualTo(first.bytes());
    assertThat(store.size(first.key())).contains((long) first.length());
  }

  @Test
  void aSpoolFileIsStoredOnceAndConsumedEitherWay() throws Exception {
    Sample pack = sample(Kind.PACK, 21, 3 << 20);
    Path spool = spooled(pack.bytes());
    assertThat(store.putIfAbsent(pack.key(), spool)).isTrue();
    assertThat(spool).doesNotExist();
    assertThat(store.get(pack.key())).isEqualTo(pack.bytes());

    Path again = spooled(pack.bytes());
    assertThat(store.putIfAbsent(pack.key(), again)).isFalse();
    assertThat(again).doesNotExist();
    assertThat(store.get(pack.key())).isEqualTo(pack.bytes());

    // A file from elsewhere is stored too.
    Sample index = sample(Kind.INDEX, 23, 100);
    Path foreign = Files.createTempFile("foreign", ".bin");
    Files.write(foreign, index.bytes());
    assertThat(store.putIfAbsent(index.key(), foreign)).isTrue();
    assertThat(store.get(index.key())).isEqualTo(index.bytes());
    assertThat(foreign).doesNotExist();
    assertThat(store.list("")).extracting(StoreEntry::key).containsExactlyInAnyOrder(pack.key(), index.key());
  }

  @Test
  void getAndGetRangeReturnExactBytes() {
    Sample index = sample(Kind.INDEX, 3, 4096);
    byte[] data = index.bytes();
    int n = data.length;
    store.putIfAbsent(index.key(), data);

    assertThat(store.get(index.key())).isEqualTo(data);
    assertThat(store.getRange(index.key(), 0, n)).isEqualTo(data);
    assertThat(store.getRange(index.key(), 100, 200)).isEqualTo(Arrays.copyOfRange(data, 100, 300));
    assertThat(store.getRange(index.key(), n - 1, 1)).containsExactly(data[n - 1]);
    assertThat(store.getRange(index.key(), n, 0)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void readRangeFillsABufferFromItsPosition(boolean direct) {
    Sample pack = sample(Kind.PACK, 33, 3 << 20);
    byte[] data = pack.bytes();
    store.putIfAbsent(pack.key(), data);
    java.nio.ByteBuffer b = direct ? java.nio.ByteBuffer.allocateDirect(data.length + 10)
        : java.nio.ByteBuffer.allocate(data.length + 10);

    b.position(7).limit(7 + data.length - 5);
    store.readRange(pack.key(), 5, b);

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
    Sample pack = sample(Kind.PACK, 34, 100);
    int n = pack.length();
    store.putIfAbsent(pack.key(), pack.bytes());
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocateDirect(n + 1);

    assertThatThrownBy(() -> store.readRange(pack.key(), 0, b.clear())).isInstanceOf(StoreException.class);
    assertThatThrownBy(() -> store.readRange(pack.key(), n - 1, b.clear().limit(2))).isInstanceOf(StoreException.class);
    assertThatThrownBy(() -> store.readRange(pack.key(), n + 1, b.clear().limit(0))).isInstanceOf(StoreException.class);
    assertThatThrownBy(() -> store.readRange(sample(Kind.PACK, 35, 100).key(), 0, b.clear().limit(1)))
        .isInstanceOf(ObjectNotFoundException.class);
    assertThatThrownBy(() -> store.readRange("../x", 0, b.clear().limit(1))).isInstanceOf(IllegalArgumentException.class);
    store.readRange(pack.key(), n, b.clear().limit(0));
    assertThat(b.position()).isZero();
  }

  @Test
  void getRangeBeyondTheEndFails() {
    Sample index = sample(Kind.INDEX, 4, 100);
    int n = index.length();
    store.putIfAbsent(index.key(), index.bytes());

    assertThatThrownBy(() -> store.getRange(index.key(), n - 1, 2)).isInstanceOf(StoreException.class);
    assertThatThrownBy(() -> store.getRange(index.key(), 0, n + 1)).isInstanceOf(StoreException.class);
    assertThatThrownBy(() -> store.getRange(index.key(), n + 1, 0)).isInstanceOf(StoreException.class);
    assertThatThrownBy(() -> store.getRange(index.key(), n + 1000, 10)).isInstanceOf(StoreException.class);
  }

  @Test
  void missingObjectsAreNotFound() {
    Sample stored = sample(Kind.PACK, 5, 10);
    store.putIfAbsent(stored.key(), stored.bytes());
    String missing = sample(Kind.PACK, 6, 10).key();
    String snapshot = sample(Kind.SNAPSHOT, 7, 10).key();

    assertThatThrownBy(() -> store.get(missing)).isInstanceOf(ObjectNotFoundException.class);
    assertThatThrownBy(() -> store.getRange(missing, 0, 1)).isInstanceOf(ObjectNotFoundException.class);
    assertThatThrownBy(() -> store.get(snapshot)).isInstanceOf(ObjectNotFoundException.class);
    assertThat(store.size(missing)).isEmpty();
    assertThat(store.size(snapshot)).isEmpty();
  }

  /**
   * A key that is only a prefix of stored keys (a pack's directory {@code data/hh}) names no
   * object: a store that maps keys to paths must not mistake the directory for one.
   */
  @Test
  void aPacksDirectoryIsNoObject() {
    Sample pack = sample(Kind.PACK, 8, 10);
    store.putIfAbsent(pack.key(), pack.bytes());
    String directory = pack.key().substring(0, "data/hh".length());

    assertThat(store.size(directory)).isEmpty();
    assertThatThrownBy(() -> store.get(directory)).isInstanceOf(ObjectNotFoundException.class);
    assertThatThrownBy(() -> store.getRange(directory, 0, 1)).isInstanceOf(ObjectNotFoundException.class);
    assertThat(store.list(directory + "/")).containsExactly(new StoreEntry(pack.key(), pack.length()));
  }

  @Test
  void listReturnsExactlyTheObjectsUnderAPrefixWithSizes() {
    List<Sample> all = List.of(sample(Kind.PACK, 7, 10), sample(Kind.PACK, 8, 20), sample(Kind.INDEX, 9, 30),
        sample(Kind.SNAPSHOT, 10, 40), sample(Kind.KEY, 11, 50));
    all.forEach(s -> store.putIfAbsent(s.key(), s.bytes()));
    Sample pack = all.getFirst();

    assertThat(store.list("data/")).containsExactlyInAnyOrderElementsOf(entries(all, "data/"));
    String directory = pack.key().substring(0, "data/hh/".length());
    assertThat(store.list(directory)).contains(new StoreEntry(pack.key(), pack.length()))
        .containsExactlyInAnyOrderElementsOf(entries(all, directory));
    assertThat(store.list("index/")).containsExactlyInAnyOrderElementsOf(entries(all, "index/"));
    assertThat(store.list("snapshots/")).containsExactlyInAnyOrderElementsOf(entries(all, "snapshots/"));
    assertThat(store.list("keys/")).containsExactlyInAnyOrderElementsOf(entries(all, "keys/"));
    assertThat(store.list("sessions/")).isEmpty();
    // The whole store: no temporary or bookkeeping files of the implementation show up.
    assertThat(store.list("")).containsExactlyInAnyOrderElementsOf(entries(all, ""));
  }

  private static List<StoreEntry> entries(List<Sample> samples, String prefix) {
    return samples.stream().filter(s -> s.key().startsWith(prefix)).map(s -> new StoreEntry(s.key(), s.length()))
        .toList();
  }

  @Test
  void aSessionMarkerIsRemovedOnceAndCanBeWrittenAgain() {
    Sample session = sample(Kind.SESSION, 13, 10);
    store.putIfAbsent(session.key(), session.bytes());

    assertThat(store.delete(session.key())).isTrue();
    assertThat(store.delete(session.key())).isFalse();
    assertThat(store.delete(sample(Kind.SESSION, 14, 10).key())).isFalse();
    assertThat(store.size(session.key())).isEmpty();
    assertThatThrownBy(() -> store.get(session.key())).isInstanceOf(ObjectNotFoundException.class);
    assertThat(store.list("sessions/")).isEmpty();

    Sample again = samples().other(session, 15);
    assertThat(store.putIfAbsent(again.key(), again.bytes())).isTrue();
    assertThat(store.get(session.key())).isEqualTo(again.bytes());
  }

  @ParameterizedTest
  @ValueSource(strings = {"../x", "/abs", "A", "a//b", "", "a/../b", "a/", "a b", "a/b/c/d/e"})
  void invalidKeysAreRejected(String key) {
    byte[] data = sample(Kind.KEY, 15, 3).bytes();

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
   * writer's whole object, and the reader never sees anything else (no partial object).
   */
  @Test
  @Timeout(60)
  void concurrentPutsOfOneKeyHaveExactlyOneWinner() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS + 1);
    try {
      for (int round = 0; round < 10; round++) {
        Sample first = sample(Kind.KEY, round * 100L, 256 << 10);
        String key = first.key();
        List<byte[]> payloads = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
          payloads.add(w == 0 ? first.bytes() : samples().other(first, round * 100L + w).bytes());
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
    Sample pack = sample(Kind.PACK, 16, LARGE);
    byte[] big = pack.bytes();
    int n = big.length;

    assertThat(store.putIfAbsent(pack.key(), big)).isTrue();

    assertThat(store.size(pack.key())).contains((long) n);
    assertThat(Arrays.equals(store.get(pack.key()), big)).as("20 MiB object read back").isTrue();
    byte[] tail = store.getRange(pack.key(), n - (1 << 20), 1 << 20);
    assertThat(Arrays.equals(tail, 0, tail.length, big, n - (1 << 20), n)).isTrue();
  }

  @Test
  void locationIsDescribed() {
    assertThat(store.location()).isNotBlank();
  }
}
