package io.cairn.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.format.ObjectNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FileSystemStoreTest extends RawStoreConformanceTest {
  private Path root;

  @Override
  protected BlobStore newStore(Path tempDir) {
    root = tempDir.resolve("repo");
    return new FileSystemStore(root);
  }

  /** Files under the root that are not listed objects: temporary files a failed put left. */
  private List<String> strayFiles() throws IOException {
    Set<String> keys = store.list("").stream().map(StoreEntry::key).collect(Collectors.toSet());
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString())
          .filter(k -> !keys.contains(k)).toList();
    }
  }

  @Test
  void scratchFilesLeftByDeadProcessesAreFoundByAgeAndRemoved() throws IOException {
    Path old = store.createSpoolFile();
    Files.write(old, new byte[1234]);
    java.time.Instant now = java.time.Instant.now();
    Files.setLastModifiedTime(old, java.nio.file.attribute.FileTime.from(now.minus(java.time.Duration.ofDays(3))));
    Path fresh = store.createSpoolFile();
    java.time.Instant before = now.minus(java.time.Duration.ofHours(48));

    List<BlobStore.Scratch> found = store.abandonedScratch(before);

    assertThat(found).extracting(BlobStore.Scratch::name).containsExactly(old.getFileName().toString());
    assertThat(found.getFirst().size()).isEqualTo(1234);
    // Written again since it was listed: a live writer's file stays.
    Files.setLastModifiedTime(old, java.nio.file.attribute.FileTime.from(now));
    assertThat(store.deleteScratch(found.getFirst(), before)).isFalse();
    assertThat(old).exists();
    Files.setLastModifiedTime(old, java.nio.file.attribute.FileTime.from(now.minus(java.time.Duration.ofDays(3))));
    assertThat(store.deleteScratch(found.getFirst(), before)).isTrue();
    assertThat(old).doesNotExist();
    assertThat(fresh).exists();
    assertThat(store.abandonedScratch(before)).isEmpty();
    assertThatThrownBy(() -> store.deleteScratch(new BlobStore.Scratch("../config", 1), before))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void noScratchDirectoryMeansNoScratch() {
    assertThat(store.abandonedScratch(java.time.Instant.now())).isEmpty();
  }

  @Test
  void crashLeftoversInTmpAreNotListed() throws IOException {
    store.putIfAbsent("data/ab/k1", payload(1, 10));
    // What a crash between writing the temporary file and linking it leaves behind.
    Path tmp = Files.createDirectories(root.resolve("tmp"));
    Files.write(tmp.resolve("0b7c4d0e-3f1a-4a57-9c1e-1f2e3d4c5b6a.tmp"), payload(2, 99));

    assertThat(store.list("")).containsExactly(new StoreEntry("data/ab/k1", 10));
    assertThat(store.list("data/")).containsExactly(new StoreEntry("data/ab/k1", 10));
    assertThat(store.putIfAbsent("data/ab/k2", payload(3, 5))).isTrue();
  }

  /** Once written, an object is on disk: another instance on the same directory reads it. */
  @Test
  void objectsAreVisibleToANewInstance() {
    byte[] data = payload(4, 1234);
    store.putIfAbsent("index/i1", data);

    BlobStore reopened = new FileSystemStore(root);

    assertThat(reopened.get("index/i1")).isEqualTo(data);
    assertThat(reopened.list("")).containsExactly(new StoreEntry("index/i1", 1234));
  }

  @Test
  void aPutThatRunsOutOfSpaceLeavesNothingVisible() throws IOException {
    FaultInjectingStore full = FaultInjectingStore.wrap(store).failPutsAfter(100);
    byte[] fits = payload(5, 60);
    byte[] tooBig = payload(6, 60);
    assertThat(full.putIfAbsent("data/ab/fits", fits)).isTrue();

    assertThatThrownBy(() -> full.putIfAbsent("data/ab/big", tooBig))
        .isInstanceOf(StoreException.class).hasMessageContaining("No space left on device");

    BlobStore onDisk = new FileSystemStore(root);
    assertThat(onDisk.list("")).containsExactly(new StoreEntry("data/ab/fits", 60));
    assertThat(onDisk.size("data/ab/big")).isEmpty();
    assertThatThrownBy(() -> onDisk.get("data/ab/big")).isInstanceOf(ObjectNotFoundException.class);
    assertThat(strayFiles()).isEmpty();
    // Nothing blocks the key: once space is freed the write goes through.
    full.heal();
    assertThat(full.putIfAbsent("data/ab/big", tooBig)).isTrue();
    assertThat(onDisk.get("data/ab/big")).isEqualTo(tooBig);
  }

  /**
   * A real I/O error after the temporary file is written (here: the target's parent directory
   * cannot be created because a file has its name) must leave neither the object nor the
   * temporary file behind.
   */
  @Test
  void anIoErrorDuringPutLeavesNoTemporaryFile() throws IOException {
    store.putIfAbsent("data", payload(7, 3));

    assertThatThrownBy(() -> store.putIfAbsent("data/ab/k1", payload(8, 100)))
        .isInstanceOf(StoreException.class).hasMessageContaining("data/ab/k1");

    assertThat(strayFiles()).isEmpty();
    assertThat(store.list("")).containsExactly(new StoreEntry("data", 3));
  }

  @Test
  void aFullDiskIsExplained() {
    String m = FileSystemStore.describe(new IOException("No space left on device"));

    assertThat(m).contains("No space left on device").contains("free space");
  }
}
