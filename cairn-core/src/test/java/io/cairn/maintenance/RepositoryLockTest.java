package io.cairn.maintenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.format.Id;
import io.cairn.format.LockRecord;
import io.cairn.store.FileSystemStore;
import io.cairn.store.StoreKeys;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One prune or repair at a time: a second is refused by name, a dead holder's lock is not waited for. */
class RepositoryLockTest {
  @TempDir Path tmp;
  final Instant now = Instant.parse("2026-12-07T10:00:00Z");
  final Clock clock = Clock.fixed(now, ZoneOffset.UTC);

  FileSystemStore store() {
    FileSystemStore s = new FileSystemStore(tmp.resolve("repo"));
    s.init();
    return s;
  }

  static void put(FileSystemStore store, LockRecord r) {
    byte[] b = new byte[Id.LENGTH];
    new java.util.Random(r.hashCode()).nextBytes(b);
    store.putIfAbsent(StoreKeys.lock(Id.of(b)), r.encode());
  }

  @Test
  void aSecondHolderIsRefusedUntilTheFirstReleases() {
    FileSystemStore store = store();
    try (RepositoryLock first = RepositoryLock.acquire(store, "prune", "host-a", clock)) {
      assertThatThrownBy(() -> RepositoryLock.acquire(store, "repair packs", "host-b", clock))
          .isInstanceOf(RepositoryLock.HeldException.class)
          .hasMessageContaining("another prune is running on this repository")
          .hasMessageContaining("pid " + ProcessHandle.current().pid() + " on host-a")
          .hasMessageContaining("cairn unlock");
      // The refused one left nothing behind.
      assertThat(RepositoryLock.list(store)).hasSize(1);
    }
    assertThat(RepositoryLock.list(store)).isEmpty();
    RepositoryLock.acquire(store, "repair packs", "host-b", clock).close();
  }

  /** Two that start at the same moment may both be refused; they never both hold the lock. */
  @Test
  void twoHoldersStartingTogetherNeverBothGetIt() throws Exception {
    FileSystemStore store = store();
    int bothRefused = 0;
    for (int round = 0; round < 200; round++) {
      java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
      java.util.concurrent.Callable<RepositoryLock> take = () -> {
        start.await();
        try {
          return RepositoryLock.acquire(store, "prune", "host-a", clock);
        } catch (RepositoryLock.HeldException e) {
          return null;
        }
      };
      try (var pool = java.util.concurrent.Executors.newFixedThreadPool(2)) {
        var a = pool.submit(take);
        var b = pool.submit(take);
        RepositoryLock la = a.get();
        RepositoryLock lb = b.get();
        assertThat(la != null && lb != null).as("round " + round + ": both hold the lock").isFalse();
        bothRefused += la == null && lb == null ? 1 : 0;
        if (la != null) {
          la.close();
        }
        if (lb != null) {
          lb.close();
        }
      }
      assertThat(RepositoryLock.list(store)).as("round " + round + ": locks left").isEmpty();
    }
    System.out.println("both refused in " + bothRefused + " of 200 rounds");
  }

  @Test
  void aLockNotRenewedForHalfAnHourIsStaleAndRemoved() {
    FileSystemStore store = store();
    put(store, new LockRecord("prune", "elsewhere", 1, now.minus(Duration.ofHours(3)),
        now.minus(RepositoryLock.STALE_AFTER)));
    LockRecord live = new LockRecord("prune", "elsewhere", 1, now.minus(Duration.ofHours(3)),
        now.minus(RepositoryLock.STALE_AFTER).plusSeconds(1));
    try (RepositoryLock lock = RepositoryLock.acquire(store, "prune", "here", clock)) {
      assertThat(RepositoryLock.list(store)).hasSize(1);
    }
    put(store, live);
    assertThatThrownBy(() -> RepositoryLock.acquire(store, "prune", "here", clock))
        .isInstanceOf(RepositoryLock.HeldException.class).hasMessageContaining("expires by "
            + live.written().plus(RepositoryLock.STALE_AFTER));
  }

  @Test
  void aLockOfAnEndedProcessOfThisHostIsStaleAtOnce() throws Exception {
    FileSystemStore store = store();
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    put(store, new LockRecord("prune", "this-host", p.pid(), now, now));
    // The same pid on another host is another machine's process: live.
    put(store, new LockRecord("prune", "other-host", p.pid(), now, now));
    assertThatThrownBy(() -> RepositoryLock.acquire(store, "prune", "this-host", clock))
        .isInstanceOf(RepositoryLock.HeldException.class).hasMessageContaining("on other-host");
    List<RepositoryLock.Held> left = RepositoryLock.list(store);
    assertThat(left).extracting(h -> h.record().host()).containsExactly("other-host");
  }

  @Test
  void theHolderRenewsItsLockWithAFreshObject() {
    FileSystemStore store = store();
    io.cairn.HandClock moving = new io.cairn.HandClock(now);
    try (RepositoryLock lock = RepositoryLock.acquire(store, "prune", "here", moving)) {
      String before = RepositoryLock.list(store).getFirst().key();
      moving.advance(RepositoryLock.REFRESH);
      lock.refresh();
      List<RepositoryLock.Held> after = RepositoryLock.list(store);
      assertThat(after).hasSize(1);
      assertThat(after.getFirst().key()).isNotEqualTo(before);
      assertThat(after.getFirst().record().written()).isEqualTo(moving.instant());
      assertThat(after.getFirst().record().started()).isEqualTo(now);
      // An hour after the start, renewed, it is live.
      assertThat(after.getFirst().staleAt(moving.instant().plus(RepositoryLock.STALE_AFTER).minusSeconds(1), "elsewhere")).isFalse();
    }
  }
}
