package io.cairn.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.format.ObjectNotFoundException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * With no fault set the decorator must be invisible, so it passes the whole conformance suite;
 * the tests below check that each fault does what its Javadoc promises.
 */
class FaultInjectingStoreTest extends RawStoreConformanceTest {
  private FaultInjectingStore faulty;

  @Override
  protected BlobStore newStore(Path tempDir) {
    faulty = FaultInjectingStore.wrap(new FileSystemStore(tempDir.resolve("repo")));
    return faulty;
  }

  @Test
  void failPutsAfterRunsOutOfSpace() {
    faulty.failPutsAfter(100);

    assertThat(faulty.putIfAbsent("data/ab/a", payload(1, 60))).isTrue();
    assertThat(faulty.putIfAbsent("data/ab/a", payload(1, 60))).as("existing key").isFalse();
    assertThatThrownBy(() -> faulty.putIfAbsent("data/ab/b", payload(2, 41)))
        .isInstanceOf(StoreException.class).hasMessageContaining("No space left on device");
    assertThat(faulty.putIfAbsent("data/ab/c", payload(3, 40))).as("exactly fits").isTrue();
    assertThatThrownBy(() -> faulty.putIfAbsent("data/ab/d", payload(4, 1)))
        .isInstanceOf(StoreException.class);

    assertThat(faulty.list("")).extracting(StoreEntry::key)
        .containsExactlyInAnyOrder("data/ab/a", "data/ab/c");
    assertThat(faulty.faultsInjected()).isEqualTo(2);
    assertThatThrownBy(() -> faulty.putIfAbsent("../x", payload(5, 1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void flipBitCorruptsReadsOfMatchingKeysOnly() {
    byte[] data = payload(6, 100);
    faulty.putIfAbsent("data/ab/p1", data);
    faulty.putIfAbsent("index/i1", data);

    faulty.flipBit(key -> key.startsWith("data/"));

    byte[] read = faulty.get("data/ab/p1");
    assertThat(read).isNotEqualTo(data);
    read[50] ^= 1;
    assertThat(read).isEqualTo(data);
    byte[] range = faulty.getRange("data/ab/p1", 10, 20);
    range[10] ^= 1;
    assertThat(range).isEqualTo(Arrays.copyOfRange(data, 10, 30));
    assertThat(faulty.get("index/i1")).isEqualTo(data);
    assertThat(faulty.delegate().get("data/ab/p1")).as("stored bytes are untouched").isEqualTo(data);
  }

  @Test
  void truncateShortensObjectsEverywhere() {
    byte[] data = payload(7, 100);
    faulty.putIfAbsent("data/ab/p1", data);
    faulty.putIfAbsent("data/ab/p2", data);

    faulty.truncate(key -> key.endsWith("p1"), 30);

    assertThat(faulty.get("data/ab/p1")).isEqualTo(Arrays.copyOf(data, 30));
    assertThat(faulty.size("data/ab/p1")).contains(30L);
    assertThat(faulty.list("data/")).containsExactlyInAnyOrder(
        new StoreEntry("data/ab/p1", 30), new StoreEntry("data/ab/p2", 100));
    assertThat(faulty.getRange("data/ab/p1", 0, 30)).isEqualTo(Arrays.copyOf(data, 30));
    assertThatThrownBy(() -> faulty.getRange("data/ab/p1", 20, 20)).isInstanceOf(StoreException.class);
    assertThat(faulty.get("data/ab/p2")).isEqualTo(data);
  }

  @Test
  void hideMakesObjectsMissing() {
    faulty.putIfAbsent("config", payload(8, 10));
    faulty.putIfAbsent("index/i1", payload(9, 10));

    faulty.hide(key -> key.equals("config"));

    assertThatThrownBy(() -> faulty.get("config")).isInstanceOf(ObjectNotFoundException.class);
    assertThatThrownBy(() -> faulty.getRange("config", 0, 1)).isInstanceOf(ObjectNotFoundException.class);
    assertThat(faulty.size("config")).isEmpty();
    assertThat(faulty.list("")).containsExactly(new StoreEntry("index/i1", 10));
    assertThat(faulty.delete("config")).isFalse();
    assertThat(faulty.delegate().size("config")).as("still stored underneath").contains(10L);
  }

  @Test
  void healRemovesEveryFault() {
    byte[] data = payload(10, 100);
    faulty.putIfAbsent("data/ab/p1", data);
    faulty.failPutsAfter(0).flipBit(k -> true).truncate(k -> true, 1).hide(k -> k.equals("config"));

    faulty.heal();

    assertThat(faulty.get("data/ab/p1")).isEqualTo(data);
    assertThat(faulty.putIfAbsent("config", payload(11, 50))).isTrue();
    assertThat(faulty.size("config")).contains(50L);
  }
}
