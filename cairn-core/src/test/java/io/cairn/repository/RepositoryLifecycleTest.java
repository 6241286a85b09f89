package io.cairn.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.crypto.WrongPasswordException;
import io.cairn.format.BlobType;
import io.cairn.format.CairnException;
import io.cairn.format.Id;
import io.cairn.format.IndexEntry;
import io.cairn.format.IndexSegment;
import io.cairn.store.FileSystemStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepositoryLifecycleTest {
  @TempDir Path tmp;

  RepositoryOptions options() {
    return RepositoryOptions.defaults(tmp.resolve("cache"));
  }

  @Test
  void initOpenAndWrongPassword() {
    FileSystemStore store = new FileSystemStore(tmp.resolve("repo"));
    Id id;
    try (Repository r = Repository.init(store, "pw".toCharArray(), Repository.InitSettings.DEFAULT, options())) {
      id = r.config().id();
      r.addKey("second".toCharArray());
    }
    try (Repository r = Repository.open(store, "second".toCharArray(), options())) {
      assertThat(r.config().id()).isEqualTo(id);
      assertThat(r.listKeys()).hasSize(2);
    }
    assertThatThrownBy(() -> Repository.open(store, "nope".toCharArray(), options()))
        .isInstanceOf(WrongPasswordException.class).hasMessageContaining("wrong password");
    assertThatThrownBy(() -> Repository.init(store, "pw".toCharArray(), Repository.InitSettings.DEFAULT, options()))
        .isInstanceOf(CairnException.class).hasMessageContaining("already exists");
    assertThatThrownBy(() -> Repository.open(new FileSystemStore(tmp.resolve("none")), "pw".toCharArray(), options()))
        .isInstanceOf(RepositoryNotFoundException.class);
  }

  @Test
  void interruptedInitIsDetected() throws Exception {
    FileSystemStore store = new FileSystemStore(tmp.resolve("repo"));
    try (Repository r = Repository.init(store, "pw".toCharArray(), Repository.InitSettings.DEFAULT, options())) {
      assertThat(r).isNotNull();
    }
    Files.delete(tmp.resolve("repo/config"));
    assertThatThrownBy(() -> Repository.init(store, "pw".toCharArray(), Repository.InitSettings.DEFAULT, options()))
        .hasMessageContaining("interrupted");
  }

  @Test
  void blobsAreDedupedWithinAndAcrossSessions() {
    FileSystemStore store = new FileSystemStore(tmp.resolve("repo"));
    try (Repository r = Repository.init(store, "pw".toCharArray(), Repository.InitSettings.DEFAULT, options())) {
      byte[] data = new byte[100_000];
      new Random(1).nextBytes(data);
      Id id = r.blobId(data);
      try (WriteSession s = r.newSession()) {
        assertThat(s.saveBlob(BlobType.DATA, id, data)).isTrue();
        assertThat(s.saveBlob(BlobType.DATA, id, data)).isFalse();
        s.flush();
      }
      try (WriteSession s = r.newSession()) {
        assertThat(s.saveBlob(BlobType.DATA, id, data)).isFalse();
      }
      assertThat(r.loadBlob(BlobType.DATA, id)).isEqualTo(data);
      assertThat(store.list("data/")).hasSize(1);
    }
  }

  /**
   * A blob whose sealing fails stays claimed, and a second caller takes the claim as "stored":
   * the session must refuse to write anything more, or it could commit a snapshot naming a
   * blob that was never stored.
   */
  @Test
  void aBlobThatFailsToSealStopsTheSession() {
    FileSystemStore store = new FileSystemStore(tmp.resolve("repo"));
    try (Repository r = Repository.init(store, "pw".toCharArray(), Repository.InitSettings.DEFAULT, options())) {
      byte[] data = new byte[10_000];
      new Random(2).nextBytes(data);
      Id id = r.blobId(data);
      try (WriteSession s = r.newSession()) {
        // A heap buffer where a direct one is needed: sealing throws after the claim.
        assertThatThrownBy(() -> s.saveBlob(BlobType.DATA, id, java.nio.ByteBuffer.wrap(data)))
            .isInstanceOf(IllegalArgumentException.class);
        assertThat(s.has(id)).isTrue();
        assertThatThrownBy(() -> s.saveBlob(BlobType.DATA, r.blobId(new byte[5]), new byte[5]))
            .isInstanceOf(CairnException.class).hasMessageContaining("no snapshot is committed");
        assertThatThrownBy(s::flush).isInstanceOf(CairnException.class);
      }
      assertThat(r.index().contains(id)).isFalse();
    }
  }

  @Test
  void indexLookupOverManySegmentsAndEntries() {
    Random rnd = new Random(7);
    List<IndexEntry> entries = new ArrayList<>();
    Id pack = Id.of(new byte[32]);
    for (int i = 0; i < 200_000; i++) {
      byte[] b = new byte[32];
      rnd.nextBytes(b);
      entries.add(new IndexEntry(Id.of(b), i % 7 == 0 ? BlobType.TREE : BlobType.DATA, pack, 8 + i, 100 + i % 50));
    }
    IndexSegment seg = IndexSegment.open(IndexSegment.encode(entries), "test");
    assertThat(seg.size()).isEqualTo(entries.size());
    for (int i = 0; i < entries.size(); i += 997) {
      assertThat(seg.lookup(entries.get(i).blob())).isEqualTo(entries.get(i));
    }
    for (int i = 0; i < 1000; i++) {
      byte[] b = new byte[32];
      rnd.nextBytes(b);
      assertThat(seg.contains(Id.of(b))).isFalse();
    }
  }
}
