package io.cairn.maintenance;

import io.cairn.format.CairnException;
import io.cairn.format.CondemnedList;
import io.cairn.format.Id;
import io.cairn.format.IndexEntry;
import io.cairn.format.IndexSegment;
import io.cairn.format.PackEntry;
import io.cairn.format.RepositoryConfig;
import io.cairn.format.SessionMarker;
import io.cairn.format.SnapshotCodec;
import io.cairn.repository.Packer;
import io.cairn.repository.Repository;
import io.cairn.store.BlobStore;
import io.cairn.store.StoreEntry;
import io.cairn.store.StoreKeys;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Garbage collection without a key and without a lock (docs/design.md, "Garbage collection").
 * Each run first <em>condemns</em> the blob copies no snapshot references, then <em>sweeps</em>
 * what earlier runs condemned, provided the condemnation is older than the grace period, every
 * write session alive when it happened has ended, and the copy is still unreferenced. Write
 * sessions never deduplicate against condemned copies, so a session that started after a
 * condemnation cannot come to depend on what the sweep removes. Packs whose remaining live
 * bytes fall below the threshold are repacked by copying the encrypted blobs as they are.
 *
 * <p>{@link #plan} changes nothing; {@link #execute} follows the plan in the order that keeps
 * every crash harmless (docs/design.md, "Write ordering", prune rules).
 */
public final class Pruner {
  private final BlobStore store;
  private final Clock clock;
  private final Options options;

  /**
   * @param grace how long a condemnation must age before its sweep (covers clock skew)
   * @param repackThreshold repack a pack when at least this share of its bytes is garbage
   * @param sessionMaxAge session markers older than this are treated as left by a dead process
   * @param fenceMargin a condemned list is dated this far after the moment it is written, so that
   *     a write session starting while it is being stored (and so possibly not seeing it) counts
   *     as older than it; it also absorbs clock skew between the pruning and the writing machines
   */
  public record Options(Duration grace, double repackThreshold, Duration sessionMaxAge, Duration fenceMargin) {
    public static final Options DEFAULT = new Options(Duration.ofHours(1), 0.2, Duration.ofHours(48),
        Duration.ofMinutes(5));

    public Options {
      // Safety parameters are checked when they are given, not when they are used.
      if (grace.isNegative() || sessionMaxAge.isNegative() || sessionMaxAge.isZero() || fenceMargin.isNegative()) {
        throw new IllegalArgumentException("grace and fence margin must be >= 0 and session max age > 0");
      }
      if (!(repackThreshold > 0 && repackThreshold <= 1)) {
        throw new IllegalArgumentException("repack threshold must be in (0, 1], got " + repackThreshold);
      }
    }
  }

  /** What a run would do. */
  public record Plan(int snapshots, long referencedBlobs, List<CondemnedList.Pair> condemn,
      List<Id> sweptLists, Set<CondemnedList.Pair> remove, List<Id> deletePacks, List<Id> repackPacks,
      long bytesFreed, long bytesRepacked, List<String> segmentsToRewrite, List<String> deadMarkers,
      List<String> notes, List<BlobStore.Scratch> abandonedScratch, Instant scratchBefore, Waiting waiting) {

    /** Bytes in the abandoned scratch files. */
    public long scratchBytes() {
      return abandonedScratch.stream().mapToLong(BlobStore.Scratch::size).sum();
    }
  }

  /**
   * What earlier condemnations this run could not remove yet, and until when: {@code graceEnds}
   * is the earliest end of a grace period still running (null when no list waits for one), and
   * {@code sessionSince} the start of the oldest write session that began before a list was
   * written (null when no list waits for a session).
   */
  public record Waiting(int lists, long blobCopies, Instant graceEnds, Instant sessionSince) {
    public static final Waiting NONE = new Waiting(0, 0, null, null);
  }

  public record Result(long packsDeleted, long packsWritten, long blobsRemoved, long bytesFreed, long scratchRemoved) {}

  private final String localHost;
  private final java.nio.file.Path tempDir = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"));

  /** {@code localHost}: markers of this host whose process is gone are treated as dead. */
  public Pruner(BlobStore store, Clock clock, Options options, String localHost) {
    this.store = store;
    this.clock = clock;
    this.options = options;
    this.localHost = localHost;
  }

  public Plan plan() {
    Instant now = clock.instant();
    List<String> notes = new ArrayList<>();
    List<String> deadMarkers = new ArrayList<>();
    Instant oldestLive = null;
    for (StoreEntry e : store.list(StoreKeys.SESSIONS)) {
      try {
        SessionMarker m = SessionMarker.decode(store.get(e.key()), e.key());
        if (m.host().equals(localHost) && ProcessHandle.of(m.pid()).isEmpty()) {
          // Left by a process of this host that no longer exists: it cannot write any more.
          deadMarkers.add(e.key());
          notes.add("the write session of pid " + m.pid() + " ended without removing its marker");
          continue;
        }
        if (m.started().isAfter(now.minus(options.sessionMaxAge()))
            && (oldestLive == null || m.started().isBefore(oldestLive))) {
          oldestLive = m.started();
        }
      } catch (CairnException ex) {
        notes.add("ignored session marker " + e.key() + ": " + ex.getMessage());
      }
    }
    try (IdSetFile referenced = new IdSetFile(tempDir)) {
      int snapshots = referencedBlobs(referenced);
      // Earlier condemnations: which may be swept now.
      Set<CondemnedList.Pair> alreadyCondemned = new HashSet<>();
      Set<CondemnedList.Pair> candidates = new HashSet<>();
      Set<Id> wholeCandidates = new HashSet<>();
      List<Id> sweptLists = new ArrayList<>();
      Waiting waiting = Waiting.NONE;
      for (StoreKeys.Named e : StoreKeys.listNamed(store, StoreKeys.CONDEMNED)) {
        Id listId = e.id();
        CondemnedList list = CondemnedList.decode(store.get(e.key()), e.key());
        boolean aged = !list.time().plus(options.grace()).isAfter(now);
        boolean fenced = oldestLive == null || oldestLive.isAfter(list.time());
        if (!aged || !fenced) {
          alreadyCondemned.addAll(list.pairs());
          Instant graceEnds = waiting.graceEnds();
          Instant ends = list.time().plus(options.grace());
          if (!aged && (graceEnds == null || ends.isBefore(graceEnds))) {
            graceEnds = ends;
          }
          waiting = new Waiting(waiting.lists() + 1, waiting.blobCopies() + list.pairs().size(), graceEnds,
              fenced ? waiting.sessionSince() : oldestLive);
          notes.add("condemned list " + listId.shortHex() + " waits for " + (!aged ? "its grace period"
              : "a write session that started before it"));
          continue;
        }
        sweptLists.add(listId);
        for (CondemnedList.Pair p : list.pairs()) {
          if (p.blob().equals(CondemnedList.WHOLE_PACK)) {
            wholeCandidates.add(p.pack());
          } else if (!referenced.contains(SnapshotCodec.refKey(p.blob()))) {
            candidates.add(p);
          }
        }
      }
      Set<Id> candidatePacks = new HashSet<>();
      for (CondemnedList.Pair p : candidates) {
        candidatePacks.add(p.pack());
      }
      // A pack the object store keeps locked (S3 Object Lock) can be neither deleted nor
      // rewritten yet: its pairs stay in the index and are condemned again, for a run after the lock.
      Set<Id> locked = lockedPacks(candidatePacks, wholeCandidates, now, notes);
      candidates.removeIf(p -> locked.contains(p.pack()));
      candidatePacks.removeAll(locked);
      wholeCandidates.removeAll(locked);
      Map<Id, Long> packSizes = new HashMap<>();
      for (StoreKeys.Named e : StoreKeys.listNamed(store, StoreKeys.DATA)) {
        packSizes.put(e.id(), e.entry().size());
      }
      // One pass over the index, one segment in memory at a time.
      // Only segments naming a pack that may lose blobs can change; execute reads just those.
      List<String> segmentsToRewrite = new ArrayList<>();
      Set<Id> indexedPacks = new HashSet<>();
      Set<CondemnedList.Pair> remove = new HashSet<>();
      List<CondemnedList.Pair> condemn = new ArrayList<>();
      Map<Id, long[]> liveBytes = new HashMap<>();
      for (StoreEntry e : store.list(StoreKeys.INDEX)) {
        IndexSegment seg = IndexSegment.open(store.get(e.key()), e.key());
        boolean affected = false;
        for (Iterator<IndexEntry> it = seg.iterator(); it.hasNext(); ) {
          IndexEntry ie = it.next();
          indexedPacks.add(ie.pack());
          CondemnedList.Pair p = new CondemnedList.Pair(ie.blob(), ie.pack());
          boolean removed = false;
          if (!referenced.contains(SnapshotCodec.refKey(ie.blob()))) {
            if (candidates.contains(p)) {
              remove.add(p);
              removed = true;
            } else if (!alreadyCondemned.contains(p)) {
              condemn.add(p);
            }
          }
          if (candidatePacks.contains(ie.pack())) {
            affected = true;
            if (!removed) {
              liveBytes.computeIfAbsent(ie.pack(), k -> new long[1])[0] += ie.length();
            }
          }
        }
        if (affected) {
          segmentsToRewrite.add(e.key());
        }
      }
      for (Id p : indexedPacks) {
        if (!packSizes.containsKey(p)) {
          notes.add("the index names pack " + p.shortHex() + ", which is missing; its entries are kept (run 'cairn check')");
        }
      }
      List<Id> deletePacks = new ArrayList<>();
      long freed = 0;
      for (Id pack : wholeCandidates) {
        if (packSizes.containsKey(pack) && !indexedPacks.contains(pack)) {
          deletePacks.add(pack);
          freed += packSizes.get(pack);
        }
      }
      for (Id pack : packSizes.keySet()) {
        CondemnedList.Pair whole = new CondemnedList.Pair(CondemnedList.WHOLE_PACK, pack);
        if (!indexedPacks.contains(pack) && !deletePacks.contains(pack) && !alreadyCondemned.contains(whole)) {
          condemn.add(whole);
        }
      }
      // Per pack that loses blobs: delete, repack or keep.
      List<Id> repackPacks = new ArrayList<>();
      long repacked = 0;
      Set<Id> touched = new HashSet<>();
      for (CondemnedList.Pair p : remove) {
        touched.add(p.pack());
      }
      for (Id pack : touched) {
        long size = packSizes.getOrDefault(pack, 0L);
        long live = liveBytes.containsKey(pack) ? liveBytes.get(pack)[0] : 0;
        if (live == 0) {
          deletePacks.add(pack);
          freed += size;
        } else if (size > 0 && (double) (size - live) / size >= options.repackThreshold()) {
          repackPacks.add(pack);
          repacked += live;
          freed += size - live;
        }
      }
      // Scratch files not written for as long as a session may run were left by a dead process
      // (killed between creating a spool file and storing it): nothing will ever store them.
      Instant scratchBefore = now.minus(options.sessionMaxAge());
      return new Plan(snapshots, referenced.size(), condemn, sweptLists, remove, deletePacks, repackPacks,
          freed, repacked, segmentsToRewrite, deadMarkers, notes, store.abandonedScratch(scratchBefore), scratchBefore,
          waiting);
    }
  }

  /** The packs among those that may go which the store locks until after {@code now}. */
  private Set<Id> lockedPacks(Set<Id> packs, Set<Id> whole, Instant now, List<String> notes) {
    Set<Id> all = new HashSet<>(packs);
    all.addAll(whole);
    Set<Id> locked = new HashSet<>();
    for (Id pack : all) {
      store.lockedUntil(StoreKeys.pack(pack)).filter(until -> until.isAfter(now)).ifPresent(until -> {
        locked.add(pack);
        notes.add("pack " + pack.shortHex() + " is locked in the object store until " + until + "; kept until then");
      });
    }
    return locked;
  }

  /**
   * Adds every snapshot's references to {@code into}, one snapshot in memory at a time. A
   * snapshot that cannot be read stops the run: without its references nothing is garbage.
   */
  private int referencedBlobs(IdSetFile into) {
    int snapshots = 0;
    for (StoreKeys.Named e : StoreKeys.listNamed(store, StoreKeys.SNAPSHOTS)) {
      Id sid = e.id();
      SnapshotCodec.Decoded d;
      try {
        d = SnapshotEnvelopes.load(store, sid);
      } catch (CairnException ex) {
        throw new CairnException("prune stopped before changing anything: snapshot " + sid.shortHex()
            + " cannot be read (" + ex.getMessage() + "); run 'cairn check'", ex);
      }
      snapshots++;
      // A blob that shares a reference's prefix with a referenced one is kept.
      SnapshotEnvelopes.addReferences(d, into);
    }
    into.seal();
    return snapshots;
  }

  /** Carries out a plan made by {@link #plan} moments before. */
  public Result execute(Plan plan) {
    RepositoryConfig config = Repository.readConfig(store);
    for (String marker : plan.deadMarkers()) {
      store.delete(marker);
    }
    long scratchRemoved = 0;
    for (BlobStore.Scratch f : plan.abandonedScratch()) {
      scratchRemoved += store.deleteScratch(f, plan.scratchBefore()) ? 1 : 0;
    }
    // Prune rule 1: the new condemnation is recorded before anything is removed. It is dated
    // after the moment it becomes visible (fence margin), never at planning time: a session
    // that starts before the list is stored must count as older than the list.
    if (!plan.condemn().isEmpty()) {
      byte[] list = new CondemnedList(clock.instant().plus(options.fenceMargin()), plan.condemn()).encode();
      store.putIfAbsent(StoreKeys.condemned(Id.of(io.cairn.crypto.Sha256.digest(list))), list);
    }
    if (plan.remove().isEmpty() && plan.deletePacks().isEmpty()) {
      for (Id l : plan.sweptLists()) {
        store.delete(StoreKeys.condemned(l));
      }
      return new Result(0, 0, 0, 0, scratchRemoved);
    }
    Set<Id> gone = new HashSet<>(plan.deletePacks());
    gone.addAll(plan.repackPacks());
    // Prune rule 2: live blobs of rewritten packs are copied into new packs and indexed in new
    // segments before any old segment or pack is removed.
    List<IndexEntry> copied = new ArrayList<>();
    long written = 0;
    // A blob's copies keep their copy numbers (docs/format.md, "Ditto copies of trees"): a tree's
    // two copies stay in two packs, a data blob two sessions stored becomes one copy.
    Map<Copies.Slot, Packer> packers = new HashMap<>();
    Set<Copies.Blob> copiedBlobs = new HashSet<>();
    try {
      for (Id packId : plan.repackPacks()) {
        String key = StoreKeys.pack(packId);
        byte[] pack = store.get(key);
        List<PackEntry> entries = io.cairn.format.PackFormat.parse(pack, key);
        int copy = io.cairn.format.PackFormat.copy(pack);
        for (PackEntry pe : entries) {
          if (plan.remove().contains(new CondemnedList.Pair(pe.id(), packId))
              || !copiedBlobs.add(new Copies.Blob(pe.id(), copy))) {
            continue;
          }
          Copies.Slot slot = new Copies.Slot(pe.type(), copy);
          Packer p = packers.computeIfAbsent(slot, sl -> sl.open(store));
          p.add(pe.id(), java.nio.ByteBuffer.wrap(pack, (int) pe.offset(), pe.length()), 0);
          if (p.size() >= config.packSize()) {
            written += flush(p, copied);
            packers.remove(slot);
          }
        }
      }
      for (Packer p : packers.values()) {
        written += flush(p, copied);
      }
    } finally {
      packers.values().forEach(Packer::close); // abandoned by a failure: spool files go
    }
    // A repack is deterministic: the same live blobs make the same pack under the same id. A run
    // killed after storing it left it unindexed, a later run condemned it whole, and this run may
    // sweep that condemnation while writing the very same pack again: what is written now stays.
    for (IndexEntry e : copied) {
      gone.remove(e.pack());
    }
    Set<String> keepKeys = new HashSet<>(writeSegments(copied));
    // Prune rule 3: each affected segment is rewritten without the removed entries; the old
    // ones are removed only after all replacements are stored.
    List<String> replaced = new ArrayList<>();
    for (String key : plan.segmentsToRewrite()) {
      IndexSegment seg;
      try {
        seg = IndexSegment.open(store.get(key), key);
      } catch (io.cairn.format.ObjectNotFoundException e) {
        continue; // replaced by a concurrent prune
      }
      List<IndexEntry> survivors = new ArrayList<>();
      boolean changed = false;
      for (Iterator<IndexEntry> it = seg.iterator(); it.hasNext(); ) {
        IndexEntry ie = it.next();
        if (gone.contains(ie.pack()) || plan.remove().contains(new CondemnedList.Pair(ie.blob(), ie.pack()))) {
          changed = true;
        } else {
          survivors.add(ie);
        }
      }
      if (changed) {
        keepKeys.addAll(writeSegments(survivors));
        replaced.add(key);
      }
    }
    for (String key : replaced) {
      if (!keepKeys.contains(key)) {
        store.delete(key);
      }
    }
    // Prune rule 4: packs go only after no index names them.
    long deleted = 0;
    for (Id p : gone) {
      deleted += store.delete(StoreKeys.pack(p)) ? 1 : 0;
    }
    for (Id l : plan.sweptLists()) {
      store.delete(StoreKeys.condemned(l));
    }
    return new Result(deleted, written, plan.remove().size(), plan.bytesFreed(), scratchRemoved);
  }

  /** Stores the entries as index segments; returns their keys. */
  private List<String> writeSegments(List<IndexEntry> entries) {
    return io.cairn.repository.ContentAddressed.putIndex(store, entries, 500_000).stream()
        .map(s -> StoreKeys.index(s.id())).toList();
  }

  private long flush(Packer p, List<IndexEntry> keep) {
    if (p.isEmpty()) {
      p.close();
      return 0;
    }
    Packer.Finished f = p.finish();
    f.putTo(store);
    for (PackEntry e : f.entries()) {
      keep.add(new IndexEntry(e.id(), e.type(), f.id(), e.offset(), e.length()));
    }
    return 1;
  }
}
