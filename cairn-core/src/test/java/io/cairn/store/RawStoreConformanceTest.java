package io.cairn.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.format.ObjectNotFoundException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The rest of {@link BlobStore}'s contract, for the stores beneath a repository (a directory, a
 * bucket) that take any valid key and any bytes and delete anything: the shapes of keys a layout
 * must map, empty objects, a key that is a prefix of others, deleting any object. A vault
 * server's object API narrows these on purpose (it stores only well-formed repository objects
 * and lets agents delete only their own session markers), so {@link HttpStore} passes only
 * {@link BlobStoreConformanceTest}.
 */
public abstract class RawStoreConformanceTest extends BlobStoreConformanceTest {

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void anObjectIsNotReplacedByOtherBytesOrByNothing() throws Exception {
    byte[] first = payload(1, 1000);
    assertThat(store.putIfAbsent("data/ab/k1", first)).isTrue();

    assertThat(store.putIfAbsent("data/ab/k1", payload(2, 1000))).isFalse();
    assertThat(store.putIfAbsent("data/ab/k1", new byte[0])).isFalse();
    Path spool = store.createSpoolFile();
    Files.write(spool, payload(3, 10));
    assertThat(store.putIfAbsent("data/ab/k1", spool)).isFalse();
    assertThat(spool).doesNotExist();

    assertThat(store.get("data/ab/k1")).isEqualTo(first);
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
  void keysNoObjectWasEverStoredUnderAreNotFound() {
    assertThatThrownBy(() -> store.get("never/used/dir")).isInstanceOf(ObjectNotFoundException.class);
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

  /** "data/" is a prefix of "database/" as a string, not as a directory. */
  @Test
  void listingAPrefixIsByDirectoryNotBySubstring() {
    store.putIfAbsent("data/ab/k1", payload(7, 10));
    store.putIfAbsent("data/cd/k2", payload(8, 20));
    store.putIfAbsent("database/k3", payload(9, 30));

    assertThat(store.list("data/")).containsExactlyInAnyOrder(
        new StoreEntry("data/ab/k1", 10), new StoreEntry("data/cd/k2", 20));
    assertThat(store.list("data/ab/")).containsExactly(new StoreEntry("data/ab/k1", 10));
    assertThat(store.list("")).containsExactlyInAnyOrder(new StoreEntry("data/ab/k1", 10),
        new StoreEntry("data/cd/k2", 20), new StoreEntry("database/k3", 30));
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
  void deleteRemovesAnyObjectOnceAndTheKeyCanBeWrittenAgain() {
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
}
