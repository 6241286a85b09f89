package io.cairn.maintenance;

import io.cairn.format.BlobType;
import io.cairn.format.CairnException;
import io.cairn.format.Id;
import io.cairn.format.IndexEntry;
import io.cairn.format.Node;
import io.cairn.format.NodeKind;
import io.cairn.format.PackEntry;
import io.cairn.format.PackFormat;
import io.cairn.format.SnapshotContent;
import io.cairn.format.SnapshotEnvelope;
import io.cairn.format.TreeCodec;
import io.cairn.repository.Packer;
import io.cairn.repository.Repository;
import io.cairn.repository.Snapshot;
import io.cairn.repository.WriteSession;
import io.cairn.store.BlobStore;
import io.cairn.store.StoreEntry;
import io.cairn.store.StoreKeys;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.time.Instant;

/**
 * Rebuilds what can be rebuilt. {@link #repairIndex} needs no key: it writes a new index from
 * the headers of every intact pack and only then removes the old segments. {@link
 * #repairSnapshots} needs the key: every snapshot that references a blob in no intact pack (run
 * {@link #repairPacks} or {@link #repairIndex} first, so damaged packs are out of the index) is
 * written again without the files (or directories) that cannot be restored, tagged
 * "repaired", and the damage is reported file by file.
 */
public final class Repairer {
  private final BlobStore store;
  private final List<String> report = new ArrayList<>();

  public Repairer(BlobStore store) {
    this.store = store;
  }

  public List<String> report() {
    return List.copyOf(report);
  }

  /**
   * Plan and, unless {@code dryRun}, execute an index rebuild. Returns the number of blobs
   * indexed. Each blob keeps one copy per copy number (docs/format.md, "Ditto copies of trees"):
   * a tree both of its copies, a data blob that two sessions stored one.
   */
  public long repairIndex(boolean dryRun) {
    Map<Copies.Blob, IndexEntry> entries = new LinkedHashMap<>();
    long blobs = 0;
    for (StoreKeys.Named e : StoreKeys.listNamed(store, StoreKeys.DATA)) {
      Id pack = e.id();
      try {
        byte[] data = store.get(e.key());
        if (!io.cairn.repository.ContentAddressed.matches(e.key(), data)) {
          report.add(e.key() + ": damaged (content does not match its name); its blobs are left out of the index "
              + "(repair packs salvages them, repair snapshots then drops what needed them)");
          continue;
        }
        int copy = PackFormat.copy(data);
        for (PackEntry pe : PackFormat.parse(data, e.key())) {
          boolean known = false;
          for (int c = 0; c <= PackFormat.COPY_MASK && !known; c++) {
            known = entries.containsKey(new Copies.Blob(pe.id(), c));
          }
          if (entries.putIfAbsent(new Copies.Blob(pe.id(), copy), new IndexEntry(pe.id(), pe.type(), pack, pe.offset(),
              pe.length())) == null && !known) {
            blobs++;
          }
        }
      } catch (CairnException ex) {
        report.add(e.key() + ": unreadable (" + ex.getMessage() + "); left out of the index");
      }
    }
    List<String> old = store.list(StoreKeys.INDEX).stream().map(StoreEntry::key).toList();
    report.add((dryRun ? "would index " : "indexed ") + blobs + " blobs (" + entries.size()
        + " copies) from intact packs, replacing " + old.size() + " index segments");
    if (dryRun) {
      return blobs;
    }
    Set<String> written = new HashSet<>();
    // The new segments are stored before any old one is removed.
    for (var seg : io.cairn.repository.ContentAddressed.putIndex(store, new ArrayList<>(entries.values()), 500_000)) {
      written.add(StoreKeys.index(seg.id()));
    }
    for (String k : old) {
      if (!written.contains(k)) {
        store.delete(k);
      }
    }
    return blobs;
  }

  /**
   * Salvages damaged and missing packs: every blob that still decrypts and matches its id is
   * stored again in a new pack, and a blob whose bytes are lost is copied from another intact
   * copy (a tree's ditto copy) when it is a tree, so that it has two copies again. Then the
   * damaged packs are removed and the index rebuilt. Returns the blobs saved.
   */
  public long repairPacks(Repository repo, boolean dryRun) {
    repo.refreshIndex();
    long saved = 0;
    List<String> damaged = new ArrayList<>();
    // Damaged packs, then missing ones; one pack's bytes are held at a time.
    Set<Id> unusable = new java.util.LinkedHashSet<>();
    Set<Id> present = new HashSet<>();
    for (StoreKeys.Named e : StoreKeys.listNamed(store, StoreKeys.DATA)) {
      present.add(e.id());
      if (!io.cairn.repository.ContentAddressed.matches(e.key(), store.get(e.key()))) {
        damaged.add(e.key());
        unusable.add(e.id());
      }
    }
    // Packs the index names that are gone: their blobs may have copies elsewhere.
    Map<Id, List<PackEntry>> indexedIn = new HashMap<>();
    for (io.cairn.format.IndexSegment seg : repo.index().segments()) {
      for (java.util.Iterator<IndexEntry> it = seg.iterator(); it.hasNext(); ) {
        IndexEntry ie = it.next();
        if (!present.contains(ie.pack()) || unusable.contains(ie.pack())) {
          indexedIn.computeIfAbsent(ie.pack(), k -> new ArrayList<>())
              .add(new PackEntry(ie.type(), ie.blob(), ie.offset(), ie.length()));
        }
      }
    }
    for (Id pack : indexedIn.keySet()) {
      if (!present.contains(pack)) {
        unusable.add(pack);
      }
    }
    int packSize = repo.config().packSize();
    Map<Copies.Slot, Packer> packers = new HashMap<>();
    try {
      for (Id pack : unusable) {
        String key = StoreKeys.pack(pack);
        byte[] data = present.contains(pack) ? store.get(key) : null;
        List<PackEntry> entries;
        int copy = 0;
        String from;
        try {
          if (data == null) {
            throw new CairnException("the pack is missing");
          }
          entries = PackFormat.parse(data, key);
          copy = PackFormat.copy(data);
          from = "its header";
        } catch (CairnException ex) {
          // The index still says what the pack held; its bytes are tried where it says they are.
          entries = indexedIn.getOrDefault(pack, List.of());
          from = "the index (" + ex.getMessage() + ")";
          if (entries.isEmpty()) {
            report.add(key + ": nothing is known of what it held, nothing can be salvaged (" + ex.getMessage() + ")");
            continue;
          }
        }
        int good = 0;
        int fromCopies = 0;
        for (PackEntry pe : entries) {
          byte[] ct = null;
          int into = copy;
          String lostWhy = "the pack is missing";
          if (data != null) {
            try {
              if (pe.offset() + pe.length() > data.length) {
                throw new CairnException("the pack ends before it");
              }
              byte[] own = java.util.Arrays.copyOfRange(data, (int) pe.offset(), (int) pe.offset() + pe.length());
              repo.openBlob(pe.type(), pe.id(), own, key);
              ct = own;
            } catch (CairnException ex) {
              lostWhy = ex.getMessage();
            }
          }
          if (ct == null) {
            // The blob's bytes here are gone: another copy serves, and a tree gets a new second copy.
            IntactCopy other = intactCopy(repo, pe, pack);
            if (other == null) {
              report.add(key + ": " + pe.type().name().toLowerCase(java.util.Locale.ROOT) + " blob "
                  + pe.id().shortHex() + " is lost, no other pack holds an intact copy (" + lostWhy + ")");
              continue;
            }
            if (pe.type() != BlobType.TREE) {
              report.add(key + ": blob " + pe.id().shortHex() + " is damaged here; its copy in "
                  + StoreKeys.pack(other.pack()) + " is intact");
              continue;
            }
            ct = other.ciphertext();
            into = other.copy() == PackFormat.DITTO ? 0 : PackFormat.DITTO;
            fromCopies++;
          }
          good++;
          if (!dryRun) {
            // The verified ciphertext is copied as it is into a new pack.
            Copies.Slot slot = new Copies.Slot(pe.type(), into);
            Packer p = packers.computeIfAbsent(slot, sl -> sl.open(store));
            p.add(pe.id(), ct, 0);
            if (p.size() >= packSize) {
              store(p.finish(), damaged);
              packers.remove(slot);
            }
          }
        }
        saved += good;
        report.add(key + (data == null ? " (missing)" : "") + ": " + good + " of " + entries.size() + " blobs (listed by "
            + from + ") " + (dryRun ? "can be" : "were") + " salvaged"
            + (fromCopies == 0 ? "" : ", " + fromCopies + " of them from their intact ditto copies"));
      }
      for (Packer p : packers.values()) {
        if (!p.isEmpty()) {
          store(p.finish(), damaged);
        }
      }
    } finally {
      packers.values().forEach(Packer::close); // abandoned by a failure: spool files go
    }
    if (!dryRun && !unusable.isEmpty()) {
      // Salvaged copies are stored; the damaged packs go, then the index is rebuilt from what is left.
      for (String k : damaged) {
        store.delete(k);
      }
      repairIndex(false);
    }
    return saved;
  }

  /** A verified copy of a blob in an intact pack, with that pack's copy number. */
  private record IntactCopy(Id pack, int copy, byte[] ciphertext) {}

  /**
   * The first copy of {@code pe}'s blob in a pack other than {@code lost} that decrypts and
   * matches its id, even in a pack damaged elsewhere (whose good blobs are salvaged too).
   */
  private IntactCopy intactCopy(Repository repo, PackEntry pe, Id lost) {
    for (IndexEntry other : repo.index().lookupAll(pe.id())) {
      if (other.pack().equals(lost) || other.type() != pe.type()) {
        continue;
      }
      String key = StoreKeys.pack(other.pack());
      try {
        byte[] ct = store.getRange(key, other.offset(), other.length());
        repo.openBlob(pe.type(), pe.id(), ct, key);
        return new IntactCopy(other.pack(), PackFormat.copy(store.getRange(key, 0, PackFormat.PREAMBLE_LENGTH)), ct);
      } catch (CairnException ex) {
        // damaged too: try the next
      }
    }
    return null;
  }

  /**
   * Stores a pack of salvaged blobs. A pack rebuilt from the same verified blobs as a damaged
   * one (a tree pack made again from its ditto copy) has the damaged pack's name: that object is
   * removed first, since it would keep the name otherwise, and it is no longer removed after.
   */
  private void store(Packer.Finished f, List<String> damaged) {
    String key = StoreKeys.pack(f.id());
    if (damaged.remove(key)) {
      store.delete(key);
    }
    f.putTo(store);
  }

  /** Rewrites damaged snapshots without what cannot be restored; returns how many were rewritten. */
  public int repairSnapshots(Repository repo, boolean dryRun, boolean forgetDamaged) {
    repo.refreshIndex();
    int rewritten = 0;
    // One write session for all snapshots: each session start lists the repository.
    try (WriteSession session = dryRun ? null : repo.newSession()) {
      for (Snapshot s : repo.listSnapshots(e -> report.add("snapshot unreadable: " + e.getMessage()))) {
        List<String> lost = new ArrayList<>();
        Set<Id> refs = new HashSet<>();
        Id root = rewrite(repo, session, s.content().tree(), "", lost, refs);
        if (lost.isEmpty()) {
          continue;
        }
        for (String l : lost) {
          report.add("snapshot " + s.id().shortHex() + ": " + l);
        }
        rewritten++;
        if (dryRun) {
          continue;
        }
        SnapshotEnvelope e = s.envelope();
        List<String> tags = new ArrayList<>(e.tags());
        tags.add("repaired");
        SnapshotEnvelope ne = new SnapshotEnvelope(e.time(), e.host(), tags, s.id(), e.pathsTag(), e.lockedUntil(),
            true, e.program(), e.summary());
        Id nid = session.commitSnapshot(ne, new SnapshotContent(s.content().paths(), root, s.content().username(),
            s.content().excludes()), refs);
        report.add("snapshot " + s.id().shortHex() + " rewritten as " + nid.shortHex());
        if (forgetDamaged) {
          Instant lock = e.lockedUntil();
          if (lock != null && lock.isAfter(repo.options().clock().instant())) {
            report.add("snapshot " + s.id().shortHex() + " is locked until " + lock + " and stays");
          } else {
            store.delete(StoreKeys.snapshot(s.id()));
          }
        }
      }
    }
    return rewritten;
  }

  private Id rewrite(Repository repo, WriteSession session, Id tree, String path, List<String> lost, Set<Id> refs) {
    List<Node> nodes;
    try {
      nodes = repo.loadTree(tree);
    } catch (CairnException e) {
      lost.add((path.isEmpty() ? "/" : path) + ": directory lost (" + e.getMessage() + ")");
      return session == null ? tree : saveTree(session, List.of(), refs);
    }
    List<Node> kept = new ArrayList<>();
    for (Node n : nodes) {
      String p = path + "/" + n.displayName();
      if (n.kind() == NodeKind.DIRECTORY) {
        kept.add(n.withSubtree(rewrite(repo, session, n.subtree(), p, lost, refs)));
      } else if (n.kind() == NodeKind.FILE) {
        boolean ok = true;
        for (Id c : n.content()) {
          if (repo.locate(c).isEmpty()) {
            ok = false;
            lost.add(p + ": file lost (blob " + c.shortHex() + " is in no intact pack)");
            break;
          }
        }
        if (ok) {
          kept.add(n);
          refs.addAll(n.content());
        }
      } else {
        kept.add(n);
      }
    }
    return session == null ? tree : saveTree(session, kept, refs);
  }

  private static Id saveTree(WriteSession session, List<Node> nodes, Set<Id> refs) {
    Id id = session.saveTree(TreeCodec.encode(nodes));
    refs.add(id);
    return id;
  }
}
