package io.cairn.server;

import io.cairn.format.CairnException;
import io.cairn.format.Id;
import io.cairn.format.IndexEntry;
import io.cairn.format.IndexSegment;
import io.cairn.format.SnapshotCodec;
import io.cairn.format.SnapshotEnvelope;
import io.cairn.maintenance.SnapshotEnvelopes;
import io.cairn.store.BlobStore;
import io.cairn.store.StoreEntry;
import io.cairn.store.StoreKeys;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Immutability in the object store itself (docs/server.md, "Object Lock"): where the bucket has
 * S3 Object Lock, everything a locked snapshot needs to be restored (the snapshot, every pack
 * holding one of its blobs, the key files and the config) is given a retention that ends when
 * the snapshot's lock ends: its own {@code --lock-for} or the repository's immutability window,
 * whichever is later. A pack that a later locked snapshot reuses is extended. Then even someone
 * holding the provider's own S3 keys cannot delete those objects' versions before then.
 *
 * <p>It needs no key: the snapshot's envelope says when it was taken and its lock, its reference
 * list names its blobs, and the index says which packs hold them. After a snapshot is stored, a
 * background pass locks what that snapshot needs; every retention job locks what all locked
 * snapshots need, which catches up after a crash. Nothing runs unless storage.object-lock is set.
 */
final class ObjectLocks {
  private static final Logger LOG = LoggerFactory.getLogger(ObjectLocks.class);

  private final Database db;
  private final Clock clock;
  private final boolean enabled;
  private final ExecutorService background = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "cairn-object-lock");
    t.setDaemon(true);
    return t;
  });

  /** @param enabled whether storage.object-lock is set; without it every call returns at once */
  ObjectLocks(Database db, Clock clock, boolean enabled) {
    this.db = db;
    this.clock = clock;
    this.enabled = enabled;
  }

  /** What {@link #lock} did. */
  private enum Locking { UNSUPPORTED, HELD, EXTENDED }

  /** What one pass did. */
  record Result(boolean supported, int lockedSnapshots, int objects, int extended) {}

  /** When a snapshot may go at the earliest: its own lock or the repository's window, whichever is later. */
  static Instant until(SnapshotEnvelope e, int immutabilityDays) {
    Instant window = e.time().plus(Duration.ofDays(immutabilityDays));
    return e.lockedUntil() != null && e.lockedUntil().isAfter(window) ? e.lockedUntil() : window;
  }

  private int immutabilityDays(RepoHandle h) {
    return db.jdbi().withHandle(hd -> hd.createQuery("SELECT immutability_days FROM repositories WHERE id = ?")
        .bind(0, h.id()).mapTo(Integer.class).one());
  }

  /**
   * After a snapshot was stored: a pass soon over what it needs. Snapshots stored while a pass
   * waits are taken by that pass, so a burst of commits reads the index once.
   */
  void snapshotStored(RepoHandle h, Id snapshot) {
    if (!enabled) {
      return;
    }
    h.lockQueue.add(snapshot);
    background.submit(() -> {
      java.util.Set<Id> ids = new java.util.HashSet<>();
      for (Id id : h.lockQueue) {
        if (h.lockQueue.remove(id)) {
          ids.add(id);
        }
      }
      if (ids.isEmpty()) {
        return;
      }
      // Under the maintenance lock: a GC that planned to rewrite a pack before it was locked
      // must not find it locked when it comes to delete it.
      h.maintenance.lock();
      try {
        Result r = protect(h, ids, immutabilityDays(h));
        if (r.extended() > 0) {
          LOG.info("repository {}: locked {} objects for {} new snapshots", h.label(), r.extended(),
              r.lockedSnapshots());
        }
      } catch (RuntimeException e) {
        LOG.warn("repository {}: locking objects failed; the next retention job tries again: {}", h.label(),
            e.toString());
      } finally {
        h.maintenance.unlock();
      }
    });
  }

  /**
   * Locks what every locked snapshot of the repository needs, until its lock ends.
   *
   * @param immutabilityDays the repository's immutability window, as the retention job read it
   */
  Result protect(RepoHandle h, int immutabilityDays) {
    return protect(h, null, immutabilityDays);
  }

  /**
   * Locks what the locked snapshots among {@code only} (every snapshot when null) need, until
   * their locks end. Each snapshot is read once; only the locked ones are kept, with their
   * reference lists, for the pass over the index.
   */
  private Result protect(RepoHandle h, java.util.Collection<Id> only, int days) {
    if (!enabled) {
      return new Result(false, 0, 0, 0);
    }
    BlobStore store = h.store();
    Instant now = clock.instant();
    record Locked(Id id, SnapshotCodec.Decoded refs, Instant until) {}
    List<Locked> locked = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    java.util.Collection<Id> ids = only != null ? only
        : StoreKeys.listNamed(store, StoreKeys.SNAPSHOTS).stream().map(StoreKeys.Named::id).toList();
    for (Id id : ids) {
      try {
        SnapshotCodec.Decoded d = SnapshotEnvelopes.load(store, id);
        Instant until = until(d.envelope(), days);
        if (until.isAfter(now)) {
          locked.add(new Locked(id, d, until));
        }
      } catch (CairnException e) {
        problems.add(e.getMessage());
      }
    }
    problems.forEach(p -> LOG.warn("repository {}: {}", h.label(), p));
    if (locked.isEmpty()) {
      return new Result(true, 0, 0, 0);
    }
    Instant latest = locked.stream().map(Locked::until).max(Instant::compareTo).orElseThrow();
    Locking config = lock(h, StoreKeys.CONFIG, latest);
    if (config == Locking.UNSUPPORTED) {
      return new Result(false, locked.size(), 0, 0);
    }
    Map<String, Instant> wanted = new HashMap<>();
    for (StoreEntry k : store.list(StoreKeys.KEYS)) {
      wanted.put(k.key(), latest);
    }
    for (Locked l : locked) {
      wanted.merge(StoreKeys.snapshot(l.id()), l.until(), ObjectLocks::later);
    }
    // One pass over the index, a segment at a time: which packs hold a locked snapshot's blobs.
    for (StoreEntry e : store.list(StoreKeys.INDEX)) {
      IndexSegment seg = IndexSegment.open(store.get(e.key()), e.key());
      for (Iterator<IndexEntry> it = seg.iterator(); it.hasNext(); ) {
        IndexEntry ie = it.next();
        for (Locked l : locked) {
          if (l.refs().mayReference(ie.blob())) {
            wanted.merge(StoreKeys.pack(ie.pack()), l.until(), ObjectLocks::later);
          }
        }
      }
    }
    int extended = config == Locking.EXTENDED ? 1 : 0;
    for (Map.Entry<String, Instant> w : wanted.entrySet()) {
      try {
        extended += lock(h, w.getKey(), w.getValue()) == Locking.EXTENDED ? 1 : 0;
      } catch (io.cairn.format.ObjectNotFoundException gone) {
        // removed since it was listed (a pack the index still names is never removed by GC)
      }
    }
    return new Result(true, locked.size(), wanted.size() + 1, extended);
  }

  /** Locks one object unless this server knows it is locked as long already. */
  private static Locking lock(RepoHandle h, String key, Instant until) {
    Instant known = h.locks.get(key);
    if (known != null && !known.isBefore(until)) {
      return Locking.HELD;
    }
    if (!h.store().lockUntil(key, until)) {
      return Locking.UNSUPPORTED;
    }
    h.locks.merge(key, until, ObjectLocks::later);
    return Locking.EXTENDED;
  }

  private static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  void close() {
    background.shutdownNow();
  }
}
