package io.cairn.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.format.CondemnedList;
import io.cairn.format.Id;
import io.cairn.maintenance.CheckReport;
import io.cairn.maintenance.Checker;
import io.cairn.maintenance.Pruner;
import io.cairn.repository.Repository;
import io.cairn.repository.RepositoryOptions;
import io.cairn.store.FileSystemStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A repack is deterministic: the same live blobs of the same pack make the same new pack, under
 * the same id. A run killed after storing that new pack leaves it unindexed; a later run
 * condemns it whole; and the run that finally sweeps that condemnation also repacks the old
 * pack again, into the very same pack, which it indexes. That run must not then delete it.
 */
class InterruptedRepackTest {
  @TempDir Path tmp;

  private static Pruner pruner(FileSystemStore store, Duration grace) {
    return new Pruner(store, Clock.systemUTC(), new Pruner.Options(grace, 0.2, Duration.ofHours(1), Duration.ZERO),
        RepositoryOptions.localHost());
  }

  @Test
  void aPackCondemnedWholeSurvivesTheRunThatRepacksIntoItAgain() throws Exception {
    Path repoDir = tmp.resolve("repo");
    FileSystemStore store = new FileSystemStore(repoDir);
    Id second = TestRepos.oneFileDropped(store, tmp, 5);
    Path src = tmp.resolve("src");
    Pruner.Plan condemning = pruner(store, Duration.ZERO).plan();
    assertThat(condemning.condemn()).as("b's blobs and the first tree").isNotEmpty();
    pruner(store, Duration.ZERO).execute(condemning);

    // A run that dies right after storing its repacked packs: carried out on a copy, whose new
    // packs are then put into the repository without any index naming them.
    Path copyDir = tmp.resolve("copy");
    TestRepos.copyTree(repoDir, copyDir);
    FileSystemStore copy = new FileSystemStore(copyDir);
    Pruner.Plan sweeping = pruner(copy, Duration.ZERO).plan();
    assertThat(sweeping.repackPacks()).as("the pack holding a and b loses b").isNotEmpty();
    pruner(copy, Duration.ZERO).execute(sweeping);
    Set<String> repacked = TestRepos.packs(copy);
    repacked.removeAll(TestRepos.packs(store));
    assertThat(repacked).isNotEmpty();
    for (String key : repacked) {
      Files.createDirectories(repoDir.resolve(key).getParent());
      Files.copy(copyDir.resolve(key), repoDir.resolve(key));
    }

    // A run whose grace period has not passed for the first list: it only condemns the
    // unindexed packs whole (as a run killed after storing its list would have done).
    Pruner.Plan waiting = pruner(store, Duration.ofHours(1)).plan();
    assertThat(waiting.remove()).isEmpty();
    for (String key : repacked) {
      Id pack = Id.parse(key.substring(key.lastIndexOf('/') + 1));
      assertThat(waiting.condemn()).contains(new CondemnedList.Pair(CondemnedList.WHOLE_PACK, pack));
    }
    pruner(store, Duration.ofHours(1)).execute(waiting);

    // The run that sweeps both lists repacks into the same packs and indexes them.
    Pruner.Plan last = pruner(store, Duration.ZERO).plan();
    pruner(store, Duration.ZERO).execute(last);

    assertThat(TestRepos.packs(store)).containsAll(repacked);
    try (Repository repo = TestRepos.open(store, tmp.resolve("c3"))) {
      CheckReport report = new Checker(store, repo).run(100, 1);
      assertThat(report.errors()).isEmpty();
      Path out = tmp.resolve("out");
      RestoreResult rr = TestRepos.restore(repo, repo.loadSnapshot(second), src.toString(), out, true);
      assertThat(rr.errors()).isEmpty();
      assertThat(ConcurrentMaintenanceTest.contents(out)).isEqualTo(ConcurrentMaintenanceTest.contents(src));
    }
  }
}
