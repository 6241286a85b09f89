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

  /** Plan and, unless {@code dryRun}, execute an index rebuild. Returns the number of blobs indexed. */
  public long repairIndex(boolean dryRun) {
    Map<Id, IndexEntry> entries = new LinkedHashMap<>();
    for (StoreKeys.Named e : StoreKeys.listNamed(store, StoreKeys.DATA)) {
      Id pack = e.id();
      try {
        byte[] data = store.get(e.key());
        if (!io.cairn.repository.ContentAddressed.matches(e.key(), data)) {
          report.add(e.key() + ": damaged (content does not match its name); its blobs are left out of the index "
              + "(repair snapshots then drops what needed them)");
          continue;
        }
        for (PackEntry pe : PackFormat.parse(data, e.key())) {
          entries.putIfAbsent(pe.id(), new IndexEntry(pe.id(), pe.type(), pack, pe.offset(), pe.length()));
        }
      } catch (CairnException ex) {
        report.add(e.key() + ": unreadable (" + ex.getMessage() + "); left out of the index");
      }
    }
    List<String> old = store.list(StoreKeys.INDEX).stream().map(StoreEntry::key).toList();
    report.add((dryRun ? "would index " : "indexed ") + entries.size() + " blobs from intact packs, replacing "
        + old.size() + " index segments");
    if (dryRun) {
      return entries.size();
    }
    List<IndexEntry> all = new ArrayList<>(entries.values());
    Set<String> written = new HashSet<>();
    // The new segments are stored before any old one is removed.
    for (int from = 0; from < all.size(); from += 500_000) {
      byte[] seg = io.cairn.format.IndexSegment.encode(all.subList(from, Math.min(all.size(), from + 500_000)));
      String key = StoreKeys.index(Id.of(io.cairn.crypto.Sha256.digest(seg)));
      store.putIfAbsent(key, seg);
      written.add(key);
    }
    for (String k : old) {
      if (!written.contains(k)) {
        store.delete(k);
      }
    }
    return entries.size();
  }

  /**
   * Salvages damaged packs: every blob that still decrypts and matches its id is stored again
   * in a new pack, then the damaged pack is removed and the index rebuilt. Returns blobs saved.
   */
  public long repairPacks(Repository repo, boolean dryRun) {
    long saved = 0;
    List<String> damaged = new ArrayList<>();
    int packSize = repo.config().packSize();
    Map<BlobType, Packer> packers = new java.util.HashMap<>();
    try {
      for (StoreKeys.Named e : StoreKeys.listNamed(store, StoreKeys.DATA)) {
        Id pack = e.id();
        byte[] data = store.get(e.key());
        if (io.cairn.repository.ContentAddressed.matches(e.key(), data)) {
          continue;
        }
        damaged.add(e.key());
        List<PackEntry> entries;
        try {
          entries = PackFormat.parse(data, e.key());
        } catch (CairnException ex) {
          report.add(e.key() + ": header unreadable, nothing can be salvaged (" + ex.getMessage() + ")");
          continue;
        }
        int good = 0;
        for (PackEntry pe : entries) {
          byte[] ct = java.util.Arrays.copyOfRange(data, (int) pe.offset(), (int) pe.offset() + pe.length());
          try {
            repo.openBlob(pe.type(), pe.id(), ct, e.key());
          } catch (CairnException ex) {
            report.add(e.key() + ": blob " + pe.id().shortHex() + " is lost (" + ex.getMessage() + ")");
            continue;
          }
          good++;
          if (!dryRun) {
            // The verified ciphertext is copied as it is into a new pack.
            Packer p = packers.computeIfAbsent(pe.type(), t -> new Packer(t, store));
            p.add(pe.id(), ct, 0);
            if (p.size() >= packSize) {
              store(p.finish());
              packers.remove(pe.type());
            }
          }
        }
        saved += good;
        report.add(e.key() + ": " + good + " of " + entries.size() + " blobs " + (dryRun ? "can be" : "were") + " salvaged");
      }
      for (Packer p : packers.values()) {
        if (!p.isEmpty()) {
          store(p.finish());
        }
      }
    } finally {
      packers.values().forEach(Packer::close); // abandoned by a failure: spool files go
    }
    if (!dryRun && !damaged.isEmpty()) {
      // Salvaged copies are stored; the damaged packs go, then the index is rebuilt from what is left.
      for (String k : damaged) {
        store.delete(k);
      }
      repairIndex(false);
    }
    return saved;
  }

  private void store(Packer.Finished f) {
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
