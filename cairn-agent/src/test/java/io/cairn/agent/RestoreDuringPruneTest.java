package io.cairn.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.maintenance.Pruner;
import io.cairn.repository.Repository;
import io.cairn.repository.Snapshot;
import io.cairn.store.BlobStore;
import io.cairn.store.FileSystemStore;
import io.cairn.store.ForwardingStore;
import io.cairn.store.StoreKeys;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restore that is under way while prunes rewrite the very packs it reads: each pack read by
 * the restore counts, and after some of them a prune runs (in the middle of the restore, from
 * another repository instance, as the server's scheduled collection would), first condemning the
 * dropped files' data and then repacking the packs that held it with the kept files' data. The
 * restore finds its blobs in their new packs and restores everything. The store answers for a
 * deleted pack as an object store does, whatever file handles the directory store keeps open.
 */
class RestoreDuringPruneTest {
  @TempDir Path tmp;

  @Test
  void aRestoreFindsBlobsThatAPruneMovedWhileItRan() throws Exception {
    Path repoDir = tmp.resolve("repo");
    FileSystemStore plain = new FileSystemStore(repoDir);
    Path src = Files.createDirectories(tmp.resolve("src"));
    Random r = new Random(11);
    for (int i = 0; i < 60; i++) {
      for (String kind : new String[] {"keep", "drop"}) {
        byte[] b = new byte[80_000 + r.nextInt(80_000)];
        r.nextBytes(b);
        Files.write(src.resolve(kind + "-" + i), b);
      }
    }
    Snapshot first;
    try (Repository repo = TestRepos.create(plain, tmp.resolve("c1"))) {
      first = repo.loadSnapshot(TestRepos.backup(repo, null, src).snapshot());
    }
    try (var s = Files.list(src)) {
      for (Path p : s.filter(p -> p.getFileName().toString().startsWith("drop")).toList()) {
        Files.delete(p);
      }
    }
    io.cairn.format.Id kept;
    try (Repository repo = TestRepos.open(plain, tmp.resolve("c2"))) {
      kept = TestRepos.backup(repo, first, src).snapshot();
    }
    plain.delete(StoreKeys.snapshot(first.id()));

    // Pack reads of the restore: after the 10th a prune condemns, after the 25th one sweeps and repacks.
    AtomicInteger reads = new AtomicInteger();
    AtomicInteger prunes = new AtomicInteger();
    Set<String> readBeforePrunes = java.util.concurrent.ConcurrentHashMap.newKeySet();
    BlobStore interfering = new ForwardingStore(new FileSystemStore(repoDir)) {
      @Override
      public void readRange(String key, long offset, ByteBuffer dst) {
        interfere(key);
        super.readRange(key, offset, dst);
      }

      @Override
      public byte[] getRange(String key, long offset, int length) {
        interfere(key);
        return super.getRange(key, offset, length);
      }

      /**
       * Runs the prunes at their turn, then answers as an object store does: a deleted pack is gone
       * at once (a directory's open file handles, which this store keeps, would go on serving it).
       */
      private void interfere(String key) {
        if (!key.startsWith(StoreKeys.DATA)) {
          return;
        }
        int n = reads.incrementAndGet();
        if (n < 10) {
          readBeforePrunes.add(key);
        }
        if (n == 10 || n == 25) {
          synchronized (prunes) {
            Pruner p = new Pruner(new FileSystemStore(repoDir), Clock.systemUTC(),
                new Pruner.Options(Duration.ZERO, 0.2, Duration.ofHours(1), Duration.ZERO), "elsewhere");
            p.execute(p.plan());
            prunes.incrementAndGet();
          }
        }
        if (inner.size(key).isEmpty()) {
          throw new io.cairn.format.ObjectNotFoundException(key, "does not exist");
        }
      }
    };
    RestoreResult result;
    Path target = tmp.resolve("restored");
    try (Repository repo = TestRepos.open(interfering, tmp.resolve("c3"))) {
      result = TestRepos.restore(repo, repo.loadSnapshot(kept), null, target, true);
    }
    assertThat(prunes.get()).as("both prunes ran during the restore").isEqualTo(2);
    Set<String> after = TestRepos.packs(plain);
    assertThat(readBeforePrunes).as("a pack the restore read before the prunes was rewritten during it, after: "
        + after + ", errors: " + result.errors()).anyMatch(k -> !after.contains(k));
    assertThat(result.errors()).isEmpty();
    assertThat(result.verifiedFiles()).isEqualTo(60);
    assertThat(ConcurrentMaintenanceTest.contents(target.resolve(src.toString().substring(1))))
        .isEqualTo(ConcurrentMaintenanceTest.contents(src));
  }
}
