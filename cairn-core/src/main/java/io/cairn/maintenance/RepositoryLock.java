package io.cairn.maintenance;

import io.cairn.format.CairnException;
import io.cairn.format.Id;
import io.cairn.format.LockRecord;
import io.cairn.format.ObjectNotFoundException;
import io.cairn.store.BlobStore;
import io.cairn.store.StoreKeys;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The one prune or repair running on a repository at a time (docs/format.md, "Locks"; design.md,
 * "Garbage collection"). Backups and restores take no lock: they are fenced and follow repacked
 * blobs. Two prunes, or a prune and a repair, rewriting the same index segments could leave a
 * segment naming a pack the other deleted.
 *
 * <p>Taking it: store this holder's lock object under a random name, then list the locks; if
 * any other is live, remove this one and refuse. Two that start together may both refuse, never
 * both run. A holder writes a fresh object every {@link #REFRESH} and removes the one before, so
 * a lock whose newest object is older than {@link #STALE_AFTER} belongs to a holder that died;
 * so does one written by a process of this host that no longer exists. Stale locks are removed
 * by the next holder, or by {@code cairn unlock}.
 */
public final class RepositoryLock implements AutoCloseable {
  public static final Duration REFRESH = Duration.ofMinutes(5);
  public static final Duration STALE_AFTER = Duration.ofMinutes(30);

  private final BlobStore store;
  private final Clock clock;
  private final LockRecord record;
  private final ScheduledExecutorService refresher;
  private String current;
  private boolean closed;

  /** Another prune or repair holds the repository. */
  public static final class HeldException extends CairnException {
    private final LockRecord holder;

    HeldException(String message, LockRecord holder) {
      super(message);
      this.holder = holder;
    }

    public LockRecord holder() {
      return holder;
    }
  }

  private RepositoryLock(BlobStore store, Clock clock, LockRecord record, String key) {
    this.store = store;
    this.clock = clock;
    this.record = record;
    this.current = key;
    this.refresher = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().daemon().name("cairn-lock-refresh").factory());
    long every = REFRESH.toMillis();
    refresher.scheduleWithFixedDelay(this::refresh, every, every, TimeUnit.MILLISECONDS);
  }

  /**
   * Takes the repository for {@code operation} ("prune", "repair packs"), removing stale locks
   * on the way.
   *
   * @throws HeldException when a live prune or repair holds it, naming the holder
   */
  public static RepositoryLock acquire(BlobStore store, String operation, String host, Clock clock) {
    Instant now = clock.instant();
    LockRecord mine = new LockRecord(operation, host, ProcessHandle.current().pid(), now, now);
    String key = StoreKeys.lock(randomId());
    store.putIfAbsent(key, mine.encode());
    try {
      LockRecord h = null;
      for (Held other : list(store)) {
        if (other.key().equals(key)) {
          continue;
        }
        if (other.staleAt(now, host)) {
          // Dead holders (and objects under locks/ that are no lock) are not waited for.
          deleteQuietly(store, other.key());
        } else if (h == null) {
          h = other.record();
        }
      }
      if (h != null) {
        throw new HeldException("another " + h.operation() + " is running on this repository (pid " + h.pid()
            + " on " + h.host() + ", since " + h.started() + "); wait for it to finish. If it was stopped, its "
            + "lock expires by " + h.written().plus(STALE_AFTER) + ", or remove it now with 'cairn unlock'", h);
      }
    } catch (RuntimeException e) {
      deleteQuietly(store, key);
      throw e;
    }
    return new RepositoryLock(store, clock, mine, key);
  }

  /** A lock object as found in the store; {@code record} is null when it does not decode. */
  public record Held(String key, LockRecord record) {
    /** Whether the holder is gone: not refreshed for {@link #STALE_AFTER}, or a process of {@code host} that has ended. */
    public boolean staleAt(Instant now, String host) {
      if (record == null) {
        return true;
      }
      if (!record.written().plus(STALE_AFTER).isAfter(now)) {
        return true;
      }
      return record.host().equals(host) && ProcessHandle.of(record.pid()).isEmpty();
    }
  }

  /** Every lock object in the repository. */
  public static List<Held> list(BlobStore store) {
    List<Held> out = new ArrayList<>();
    for (StoreKeys.Named e : StoreKeys.listNamed(store, StoreKeys.LOCKS)) {
      try {
        out.add(new Held(e.key(), LockRecord.decode(store.get(e.key()), e.key())));
      } catch (ObjectNotFoundException gone) {
        // removed by its holder since the listing
      } catch (CairnException damaged) {
        out.add(new Held(e.key(), null));
      }
    }
    return out;
  }

  /** Writes a fresh lock object, then removes the one before, so the lock never looks stale while held. */
  synchronized void refresh() {
    if (closed) {
      return;
    }
    try {
      LockRecord fresh = new LockRecord(record.operation(), record.host(), record.pid(), record.started(),
          clock.instant());
      String key = StoreKeys.lock(randomId());
      store.putIfAbsent(key, fresh.encode());
      String before = current;
      current = key;
      deleteQuietly(store, before);
    } catch (RuntimeException e) {
      // The store is unreachable: the next refresh tries again, well within STALE_AFTER.
    }
  }

  /** Releases the repository. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    refresher.shutdownNow();
    deleteQuietly(store, current);
  }

  private static void deleteQuietly(BlobStore store, String key) {
    try {
      store.delete(key);
    } catch (RuntimeException e) {
      // a leftover lock goes stale and is removed by the next holder
    }
  }

  private static Id randomId() {
    byte[] b = new byte[Id.LENGTH];
    new SecureRandom().nextBytes(b);
    return Id.of(b);
  }
}
