package io.cairn.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.format.Id;
import io.cairn.maintenance.Checker;
import io.cairn.maintenance.Pruner;
import io.cairn.repository.Repository;
import io.cairn.repository.RepositoryOptions;
import io.cairn.store.FileSystemStore;
import io.cairn.store.ForwardingStore;
import io.cairn.store.StoreKeys;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prune on a store that locks packs (S3 Object Lock): a locked pack is neither deleted nor
 * rewritten while its lock lasts, the run does not fail on it, and its garbage is condemned again
 * and freed by a run after the lock ends.
 */
class LockedPackPruneTest {
  @TempDir Path tmp;

  /** Every pack locked until {@link #until}. */
  private static final class LockingStore extends ForwardingStore {
    volatile Instant until;

    LockingStore(FileSystemStore inner) {
      super(inner);
    }

    @Override
    public Optional<Instant> lockedUntil(String key) {
      return key.startsWith(StoreKeys.DATA) && inner.size(key).isPresent() ? Optional.of(until) : Optional.empty();
    }
  }

  private static Pruner pruner(LockingStore store) {
    return new Pruner(store, Clock.systemUTC(), new Pruner.Options(Duration.ZERO, 0.2, Duration.ofHours(1),
        Duration.ZERO), RepositoryOptions.localHost());
  }

  @Test
  void lockedPacksWaitForTheirLockToEnd() throws Exception {
    LockingStore store = new LockingStore(new FileSystemStore(tmp.resolve("repo")));
    store.until = Instant.now().plus(Duration.ofDays(1));
    Id second = TestRepos.oneFileDropped(store, tmp, 7);
    Set<String> before = TestRepos.packs(store);

    // Condemn, then a sweep while every pack is locked: nothing goes, and the run says why.
    pruner(store).execute(pruner(store).plan());
    Pruner.Plan locked = pruner(store).plan();
    assertThat(locked.deletePacks()).isEmpty();
    assertThat(locked.repackPacks()).isEmpty();
    assertThat(locked.remove()).isEmpty();
    assertThat(locked.notes()).anyMatch(n -> n.contains("locked in the object store until"));
    assertThat(locked.condemn()).as("the garbage is condemned again for later").isNotEmpty();
    assertThat(pruner(store).execute(locked).packsDeleted()).isZero();
    assertThat(TestRepos.packs(store)).isEqualTo(before);

    // The lock has ended: the next sweep frees b's data.
    store.until = Instant.now().minusSeconds(1);
    Pruner.Result freed = pruner(store).execute(pruner(store).plan());
    assertThat(freed.blobsRemoved()).isPositive();
    assertThat(TestRepos.packs(store)).isNotEqualTo(before);

    try (Repository repo = TestRepos.open(store, tmp.resolve("c3"))) {
      assertThat(new Checker(store, repo).run(100, 1).clean()).isTrue();
      Path src = tmp.resolve("src");
      Path out = tmp.resolve("out");
      RestoreResult rr = TestRepos.restore(repo, repo.loadSnapshot(second), src.toString(), out, true);
      assertThat(rr.errors()).isEmpty();
      assertThat(ConcurrentMaintenanceTest.contents(out)).isEqualTo(ConcurrentMaintenanceTest.contents(src));
    }
  }
}
