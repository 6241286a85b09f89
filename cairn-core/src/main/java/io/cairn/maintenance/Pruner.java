package io.cairn.maintenance;

import io.cairn.format.BlobType;
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
import java.util.LinkedHashMap;
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
   */
  public record Options(Duration grace, double repackThreshold, Duration sessionMaxAge) {
    public static final Options DEFAULT = new Options(Duration.ofHours(1), 0.2, Duration.ofHours(48));

    public Options {
      // Safety parameters are checked when they are given, not when they are used.
      if (grace.isNegative() || sessionMaxAge.isNegative() || sessionMaxAge.isZero()) {
        throw new IllegalArgumentException("grace must be >= 0 and session max age > 0");
      }
      if (!(repackThreshold > 0 && repackThreshold <= 1)) {
        throw new IllegalArgumentException("repack threshold must be in (0, 1], got " + repackThreshold);
      }
    }
  }

  /** What a run would do. */
  public record Plan(Instant now, int snapshots, long referencedBlobs, List<CondemnedList.Pair> condemn,
      List<Id> sweptLists, Set<CondemnedList.Pair> remove, List<Id> deletePacks, List<Id> repackPacks,
      long bytesFreed, long bytesRepacked, List<String> segmentsRead, List<String> deadMarkers,
      List<String> notes) {}

  public record Result(long packsDeleted, long packsWritten, long blobsRemoved, long bytesFreed) {}

  private final String localHost;

  /** {@code localHost}: markers of this host whose process is gone are treated as dead. */
  public Pruner(BlobStore store, Clock clock, Options options, String localHost) {
    this.store = store;
    this.clock = clock;
    this.options = options;
    this.localHost = localHost;
  }

  private record Condemnation(Id id, CondemnedList list) {}

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
    // Everything any snapshot references. A snapshot that cannot be read stops the run:
    // without its references nothing can be called garbage.
    Set<Id> referenced = new HashSet<>();
    int snapshots = 0;
    for (StoreEntry e : store.list(StoreKeys.SNAPSHOTS)) {
      Id sid;
      try {
        sid = StoreKeys.idOf(e.key());
      } catch (IllegalArgumentException ex) {
        continue;
      }
      SnapshotCodec.Decoded d;
      try {
        d = SnapshotEnvelopes.load(store, sid);
      } catch (CairnException ex) {
        throw new CairnException("prune stopped before changing anything: snapshot " + sid.shortHex()
            + " cannot be read (" + ex.getMessage() + "); run 'cairn check'", ex);
      }
      snapshots++;
      for (int i = 0; i < d.refCount(); i++) {
        referenced.add(d.ref(i));
      }
    }
    // The index as it is now, by pack.
    List<String> segmentsRead = new ArrayList<>();
    Map<Id, List<IndexEntry>> byPack = new LinkedHashMap<>();
    for (StoreEntry e : store.list(StoreKeys.INDEX)) {
      IndexSegment seg = IndexSegment.open(store.get(e.key()), e.key());
      segmentsRead.add(e.key());
      for (Iterator<IndexEntry> it = seg.iterator(); it.hasNext(); ) {
        IndexEntry ie = it.next();
        byPack.computeIfAbsent(ie.pack(), p -> new ArrayList<>()).add(ie);
      }
    }
    Map<Id, Long> packSizes = new HashMap<>();
    for (StoreEntry e : store.list(StoreKeys.DATA)) {
      try {
        packSizes.put(StoreKeys.idOf(e.key()), e.size());
      } catch (IllegalArgumentException ex) {
        // not a pack name
      }
    }
    for (Id p : byPack.keySet()) {
      if (!packSizes.containsKey(p)) {
        notes.add("the index names pack " + p.shortHex() + ", which is missing; its entries are kept (run 'cairn check')");
      }
    }
    // Earlier condemnations: which may be swept now.
    List<Condemnation> lists = new ArrayList<>();
    for (StoreEntry e : store.list(StoreKeys.CONDEMNED)) {
      lists.add(new Condemnation(StoreKeys.idOf(e.key()), CondemnedList.decode(store.get(e.key()), e.key())));
    }
    Set<CondemnedList.Pair> alreadyCondemned = new HashSet<>();
    Set<CondemnedList.Pair> remove = new HashSet<>();
    Set<Id> deleteWhole = new HashSet<>();
    List<Id> sweptLists = new ArrayList<>();
    for (Condemnation c : lists) {
      boolean aged = !c.list().time().plus(options.grace()).isAfter(now);
      boolean fenced = oldestLive == null || oldestLive.isAfter(c.list().time());
      if (!aged || !fenced) {
        alreadyCondemned.addAll(c.list().pairs());
        notes.add("condemned list " + c.id().shortHex() + " waits for " + (!aged ? "its grace period"
            : "a write session that started before it"));
        continue;
      }
      sweptLists.add(c.id());
      for (CondemnedList.Pair p : c.list().pairs()) {
        if (p.blob().equals(CondemnedList.WHOLE_PACK)) {
          if (packSizes.containsKey(p.pack()) && !byPack.containsKey(p.pack())) {
            deleteWhole.add(p.pack());
          }
        } else if (!referenced.contains(p.blob()) && indexed(byPack, p)) {
          remove.add(p);
        }
      }
    }
    // New condemnations.
    List<CondemnedList.Pair> condemn = new ArrayList<>();
    for (Map.Entry<Id, List<IndexEntry>> e : byPack.entrySet()) {
      for (IndexEntry ie : e.getValue()) {
        CondemnedList.Pair p = new CondemnedList.Pair(ie.blob(), ie.pack());
        if (!referenced.contains(ie.blob()) && !remove.contains(p) && !alreadyCondemned.contains(p)) {
          condemn.add(p);
        }
      }
    }
    for (Id pack : packSizes.keySet()) {
      CondemnedList.Pair whole = new CondemnedList.Pair(CondemnedList.WHOLE_PACK, pack);
      if (!byPack.containsKey(pack) && !deleteWhole.contains(pack) && !alreadyCondemned.contains(whole)) {
        condemn.add(whole);
      }
    }
    // Per pack: delete, repack or keep.
    List<Id> deletePacks = new ArrayList<>(deleteWhole);
    List<Id> repackPacks = new ArrayList<>();
    long freed = 0;
    long repacked = 0;
    for (Id pack : deleteWhole) {
      freed += packSizes.get(pack);
    }
    Set<Id> touched = new HashSet<>();
    for (CondemnedList.Pair p : remove) {
      touched.add(p.pack());
    }
    for (Id pack : touched) {
      long size = packSizes.getOrDefault(pack, 0L);
      long live = 0;
      boolean anyLive = false;
      for (IndexEntry ie : byPack.get(pack)) {
        if (!remove.contains(new CondemnedList.Pair(ie.blob(), pack))) {
          live += ie.length();
          anyLive = true;
        }
      }
      if (!anyLive) {
        deletePacks.add(pack);
        freed += size;
      } else if (size > 0 && (double) (size - live) / size >= options.repackThreshold()) {
        repackPacks.add(pack);
        repacked += live;
        freed += size - live;
      }
    }
    return new Plan(now, snapshots, referenced.size(), condemn, sweptLists, remove, deletePacks, repackPacks,
        freed, repacked, segmentsRead, deadMarkers, notes);
  }

  private static boolean indexed(Map<Id, List<IndexEntry>> byPack, CondemnedList.Pair p) {
    List<IndexEntry> l = byPack.get(p.pack());
    return l != null && l.stream().anyMatch(e -> e.blob().equals(p.blob()));
  }

  /** Carries out a plan made by {@link #plan} moments before. */
  public Result execute(Plan plan) {
    RepositoryConfig config = Repository.readConfig(store);
    for (String marker : plan.deadMarkers()) {
      store.delete(marker);
    }
    // Prune rule 1: the new condemnation is recorded before anything is removed.
    if (!plan.condemn().isEmpty()) {
      byte[] list = new CondemnedList(plan.now(), plan.condemn()).encode();
      store.putIfAbsent(StoreKeys.condemned(Id.of(Packer.sha256(list))), list);
    }
    if (plan.remove().isEmpty() && plan.deletePacks().isEmpty()) {
      for (Id l : plan.sweptLists()) {
        store.delete(StoreKeys.condemned(l));
      }
      return new Result(0, 0, 0, 0);
    }
    // The index to keep: every entry of the segments read, minus the removed copies.
    Set<Id> dropPacks = new HashSet<>(plan.deletePacks());
    Set<Id> repack = new HashSet<>(plan.repackPacks());
    List<IndexEntry> keep = new ArrayList<>();
    Map<Id, List<IndexEntry>> toCopy = new LinkedHashMap<>();
    Set<String> seen = new HashSet<>();
    for (String key : plan.segmentsRead()) {
      IndexSegment seg = IndexSegment.open(store.get(key), key);
      for (Iterator<IndexEntry> it = seg.iterator(); it.hasNext(); ) {
        IndexEntry ie = it.next();
        if (dropPacks.contains(ie.pack()) || plan.remove().contains(new CondemnedList.Pair(ie.blob(), ie.pack()))) {
          continue;
        }
        if (!seen.add(ie.blob().hex() + ie.pack().hex())) {
          continue;
        }
        if (repack.contains(ie.pack())) {
          toCopy.computeIfAbsent(ie.pack(), p -> new ArrayList<>()).add(ie);
        } else {
          keep.add(ie);
        }
      }
    }
    // Prune rule 2: copies are stored in new packs before any index names them.
    long written = 0;
    Map<BlobType, Packer> packers = new HashMap<>();
    Set<Id> copiedBlobs = new HashSet<>();
    for (Map.Entry<Id, List<IndexEntry>> e : toCopy.entrySet()) {
      byte[] pack = store.get(StoreKeys.pack(e.getKey()));
      for (IndexEntry ie : e.getValue()) {
        if (!copiedBlobs.add(ie.blob())) {
          continue;
        }
        byte[] ct = java.util.Arrays.copyOfRange(pack, (int) ie.offset(), (int) ie.offset() + ie.length());
        Packer p = packers.computeIfAbsent(ie.type(), t -> new Packer(t, config.packSize() + (1 << 20)));
        p.add(ie.blob(), ct, 0);
        if (p.size() >= config.packSize()) {
          written += flush(p, keep);
          packers.remove(ie.type());
        }
      }
    }
    for (Packer p : packers.values()) {
      written += flush(p, keep);
    }
    // A blob stored twice (two sessions wrote it at once, or a condemned copy was stored again)
    // keeps one index entry; the other copy becomes garbage in its pack.
    Map<Id, IndexEntry> unique = new LinkedHashMap<>();
    for (IndexEntry ie : keep) {
      unique.putIfAbsent(ie.blob(), ie);
    }
    keep = new ArrayList<>(unique.values());
    // Prune rule 3: the new index is complete before the old segments go...
    List<Id> newSegments = new ArrayList<>();
    for (int from = 0; from < keep.size(); from += 500_000) {
      byte[] seg = IndexSegment.encode(keep.subList(from, Math.min(keep.size(), from + 500_000)));
      Id id = Id.of(Packer.sha256(seg));
      store.putIfAbsent(StoreKeys.index(id), seg);
      newSegments.add(id);
    }
    Set<String> fresh = new HashSet<>();
    for (Id id : newSegments) {
      fresh.add(StoreKeys.index(id));
    }
    for (String key : plan.segmentsRead()) {
      if (!fresh.contains(key)) {
        store.delete(key);
      }
    }
    // ...and rule 4: packs go only after no index names them.
    long deleted = 0;
    for (Id p : plan.deletePacks()) {
      deleted += store.delete(StoreKeys.pack(p)) ? 1 : 0;
    }
    for (Id p : plan.repackPacks()) {
      deleted += store.delete(StoreKeys.pack(p)) ? 1 : 0;
    }
    for (Id l : plan.sweptLists()) {
      store.delete(StoreKeys.condemned(l));
    }
    return new Result(deleted, written, plan.remove().size(), plan.bytesFreed());
  }

  private long flush(Packer p, List<IndexEntry> keep) {
    if (p.isEmpty()) {
      return 0;
    }
    Packer.Finished f = p.finish();
    store.putIfAbsent(StoreKeys.pack(f.id()), f.bytes());
    for (PackEntry e : f.entries()) {
      keep.add(new IndexEntry(e.id(), e.type(), f.id(), e.offset(), e.length()));
    }
    return 1;
  }
}
