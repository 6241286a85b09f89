package io.cairn.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.format.BlobType;
import io.cairn.format.CorruptObjectException;
import io.cairn.format.FormatSamples;
import io.cairn.format.Id;
import io.cairn.format.SnapshotContent;
import io.cairn.format.SnapshotEnvelope;
import io.cairn.store.FileSystemStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotHeadCacheTest {
  @TempDir Path tmp;

  private Repository init() {
    return Repository.init(new FileSystemStore(tmp.resolve("repo")), "pw".toCharArray(),
        Repository.InitSettings.DEFAULT, RepositoryOptions.defaults(tmp.resolve("cache")));
  }

  private Id commit(Repository r, String host) {
    try (WriteSession s = r.newSession()) {
      List<Id> refs = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        byte[] b = (host + i).getBytes(StandardCharsets.UTF_8);
        Id id = r.blobId(b);
        s.saveBlob(BlobType.DATA, id, b);
        refs.add(id);
      }
      Id tree = s.saveTree(new byte[0]);
      refs.add(tree);
      SnapshotEnvelope e = FormatSamples.envelope(null, null);
      SnapshotEnvelope env = new SnapshotEnvelope(e.time(), host, e.tags(), null, e.pathsTag(), null, false,
          e.program(), e.summary());
      return s.commitSnapshot(env, new SnapshotContent(List.of("/data"), tree, "u", List.of()), refs);
    }
  }

  private Path cacheFile(Repository r, Id snap) {
    return tmp.resolve("cache").resolve(r.config().id().hex()).resolve("snapshots").resolve(snap.hex());
  }

  /** Lists the snapshots once, so that {@code snap}'s head is cached; returns the cache file. */
  private Path listedAndCached(Repository r, Id snap) {
    r.listSnapshots();
    return cacheFile(r, snap);
  }

  @Test
  void listingIsServedFromVerifiedHeadsWithoutTheReferenceList() throws Exception {
    try (Repository r = init()) {
      Id a = commit(r, "alpha");
      Id b = commit(r, "beta");
      List<Snapshot> first = r.listSnapshots();
      assertThat(first).extracting(Snapshot::id).containsExactlyInAnyOrder(a, b);
      Path cached = cacheFile(r, a);
      assertThat(cached).exists();
      // The head holds envelope and sealed content, not the 1,001 references (8 bytes each).
      assertThat(Files.size(cached)).isLessThan(Files.size(tmp.resolve("repo/snapshots").resolve(a.hex())) - 7_000);
      SnapshotHeadCache.Head h = SnapshotHeadCache.decode(Files.readAllBytes(cached), "t");
      assertThat(h.refCount()).isEqualTo(1001);

      // Served from the cache: the store's copy is not read again (check would report it).
      Files.write(tmp.resolve("repo/snapshots").resolve(a.hex()), new byte[] {1, 2, 3});
      List<Snapshot> second = r.listSnapshots();
      assertThat(second).extracting(Snapshot::id).containsExactlyInAnyOrder(a, b);
      Snapshot sa = second.stream().filter(s -> s.id().equals(a)).findFirst().orElseThrow();
      assertThat(sa.envelope().host()).isEqualTo("alpha");
      assertThat(sa.content().paths()).containsExactly("/data");
      assertThat(sa.refCount()).isEqualTo(1001);
    }
  }

  @Test
  void aDamagedCacheFileIsOnlyAMiss() throws Exception {
    try (Repository r = init()) {
      Id a = commit(r, "alpha");
      Path cached = listedAndCached(r, a);
      byte[] bytes = Files.readAllBytes(cached);
      bytes[bytes.length / 2] ^= 0x40;
      Files.write(cached, bytes);
      assertThat(r.loadSnapshot(a).envelope().host()).isEqualTo("alpha");
      // rewritten from the store, valid again
      assertThat(SnapshotHeadCache.decode(Files.readAllBytes(cached), "t").envelope().host()).isEqualTo("alpha");
    }
  }

  @Test
  void aForgedEnvelopeInTheCacheFailsAuthentication() throws Exception {
    try (Repository r = init()) {
      Id a = commit(r, "alpha");
      Path cached = listedAndCached(r, a);
      SnapshotHeadCache.Head h = SnapshotHeadCache.decode(Files.readAllBytes(cached), "t");
      byte[] env = new String(h.envelopeBytes(), StandardCharsets.UTF_8).replace("alpha", "omega")
          .getBytes(StandardCharsets.UTF_8);
      SnapshotHeadCache.Head forged = new SnapshotHeadCache.Head(
          SnapshotEnvelope.fromJsonBytes(env, "t"), env, h.sealed(), h.refCount());
      Files.write(cached, SnapshotHeadCache.encode(forged)); // a valid frame with a valid checksum
      assertThatThrownBy(() -> r.loadSnapshot(a)).isInstanceOf(CorruptObjectException.class);
    }
  }

  @Test
  void headsOfRemovedSnapshotsLeaveTheCache() throws Exception {
    try (Repository r = init()) {
      Id a = commit(r, "alpha");
      Id b = commit(r, "beta");
      r.listSnapshots();
      assertThat(cacheFile(r, a)).exists();
      Files.delete(tmp.resolve("repo/snapshots").resolve(a.hex()));
      assertThat(r.listSnapshots()).extracting(Snapshot::id).containsExactly(b);
      assertThat(cacheFile(r, a)).doesNotExist();
      assertThat(cacheFile(r, b)).exists();
    }
  }
}
