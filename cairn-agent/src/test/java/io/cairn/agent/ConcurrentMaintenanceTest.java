package io.cairn.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.format.Id;
import io.cairn.maintenance.CheckReport;
import io.cairn.maintenance.Checker;
import io.cairn.maintenance.Pruner;
import io.cairn.maintenance.RetentionPlanner;
import io.cairn.maintenance.RetentionPolicy;
import io.cairn.maintenance.SnapshotEnvelopes;
import io.cairn.repository.Repository;
import io.cairn.repository.Snapshot;
import io.cairn.store.FileSystemStore;
import io.cairn.store.StoreKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No global lock: two backups keep running while forget and prune run over and over against the
 * same repository, each through its own Repository instance and cache as separate processes
 * would. Afterwards check (reading every blob) is clean and every kept snapshot restores to
 * exactly what was backed up.
 */
class ConcurrentMaintenanceTest {
  @TempDir Path tmp;

  static Map<String, String> contents(Path dir) throws Exception {
    Map<String, String> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        m.put(dir.relativize(p).toString(), TreeComparison.sha256(p));
      }
    }
    return m;
  }

  void mutate(Path dir, Random r, int i) throws Exception {
    byte[] b = new byte[200_000 + r.nextInt(800_000)];
    r.nextBytes(b);
    Files.write(dir.resolve("f" + (i % 5)), b);
    Files.writeString(dir.resolve("small" + (i % 3)), "iteration " + i);
    if (i % 4 == 3) {
      Files.deleteIfExists(dir.resolve("f" + ((i + 2) % 5)));
    }
  }

  @Test
  void backupsKeepRunningWhilePruneRunsAndNothingIsLost() throws Exception {
    FileSystemStore store = new FileSystemStore(tmp.resolve("repo"));
    TestRepos.create(store, tmp.resolve("init")).close();
    Map<Id, Map<String, String>> expected = new ConcurrentHashMap<>();
    AtomicBoolean done = new AtomicBoolean();
    AtomicInteger prunes = new AtomicInteger();
    int rounds = 14;
    Runnable[] backups = new Runnable[2];
    for (int w = 0; w < 2; w++) {
      int worker = w;
      backups[w] = () -> {
        try {
          Path dir = Files.createDirectories(tmp.resolve("src" + worker));
          Random r = new Random(worker);
          for (int i = 0; i < rounds; i++) {
            mutate(dir, r, i);
            Map<String, String> now = contents(dir);
            try (Repository repo = TestRepos.open(store, tmp.resolve("cache" + worker))) {
              Snapshot parent = repo.listSnapshots(e -> { }).stream()
                  .filter(s -> s.content().paths().contains(dir.toString())).reduce((a, b) -> b).orElse(null);
              BackupResult res = TestRepos.backup(repo, parent, dir);
              expected.put(res.snapshot(), now);
            }
          }
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      };
    }
    java.util.Queue<Throwable> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
    Thread.UncaughtExceptionHandler collect = (t, e) -> failures.add(e);
    Thread[] threads = {Thread.ofPlatform().uncaughtExceptionHandler(collect).start(backups[0]),
        Thread.ofPlatform().uncaughtExceptionHandler(collect).start(backups[1])};
    Thread pruner = Thread.ofPlatform().uncaughtExceptionHandler(collect).start(() -> {
      while (!done.get()) {
        forget(store);
        Pruner p = pruner(store);
        p.execute(p.plan());
        prunes.incrementAndGet();
      }
    });
    for (Thread t : threads) {
      t.join();
    }
    done.set(true);
    pruner.join();
    assertThat(failures).as("failures in backup or prune threads").isEmpty();
    assertThat(prunes.get()).isGreaterThan(3);
    forget(store);
    for (int i = 0; i < 2; i++) {
      Pruner p = pruner(store);
      p.execute(p.plan());
    }
    try (Repository repo = TestRepos.open(store, tmp.resolve("final"))) {
      CheckReport report = new Checker(store, repo).run(100, 1);
      assertThat(report.errors()).isEmpty();
      List<Snapshot> kept = repo.listSnapshots();
      assertThat(kept).hasSize(4);
      for (Snapshot s : kept) {
        Path out = tmp.resolve("restore-" + s.id().shortHex());
        String src = s.content().paths().getFirst();
        RestoreResult rr = TestRepos.restore(repo, s, src, out, true);
        assertThat(rr.errors()).isEmpty();
        assertThat(contents(out)).as("snapshot " + s.id().shortHex()).isEqualTo(expected.get(s.id()));
      }
    }
    // Every write session removed its marker.
    assertThat(store.list(StoreKeys.SESSIONS)).isEmpty();
  }

  static Pruner pruner(FileSystemStore store) {
    return new Pruner(store, Clock.systemUTC(), new Pruner.Options(Duration.ZERO, 0.2, Duration.ofHours(1), Duration.ofSeconds(2)),
        io.cairn.repository.RepositoryOptions.localHost());
  }

  static void forget(FileSystemStore store) {
    var all = SnapshotEnvelopes.list(store, e -> { });
    for (RetentionPlanner.Decision d : new RetentionPlanner(ZoneOffset.UTC)
        .plan(all, new RetentionPolicy(2, 0, 0, 0, 0, 0, null, Set.of()), java.time.Instant.now())) {
      if (!d.keep()) {
        store.delete(StoreKeys.snapshot(d.snapshot().id()));
      }
    }
  }
}
