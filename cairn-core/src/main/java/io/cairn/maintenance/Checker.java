package io.cairn.maintenance;

import io.cairn.format.CairnException;
import io.cairn.format.Id;
import io.cairn.format.IndexEntry;
import io.cairn.format.IndexSegment;
import io.cairn.format.KeyFile;
import io.cairn.format.Node;
import io.cairn.format.NodeKind;
import io.cairn.format.PackEntry;
import io.cairn.format.PackFormat;
import io.cairn.format.SnapshotCodec;
import io.cairn.repository.ContentAddressed;
import io.cairn.repository.PackHeader;
import io.cairn.repository.Repository;
import io.cairn.repository.Snapshot;
import io.cairn.store.BlobStore;
import io.cairn.store.StoreEntry;
import io.cairn.store.StoreKeys;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Verifies a repository. Without a key it checks what the provider's server can check: every
 * object's framing and checksum, that pack names are the SHA-256 of their bytes (with
 * {@code readData}), that index entries agree with pack headers, and that every blob a snapshot
 * references is indexed. With a key it also walks every snapshot's trees and, with
 * {@code readData}, decrypts every blob and verifies its keyed id.
 *
 * <p>Memory: the set of indexed ids lives in a memory-mapped temporary file ({@link IdSetFile});
 * the heap holds one pack or index segment at a time (plus four bytes per entry of that
 * segment to visit it pack by pack), one pack header, and one small entry per pack.
 */
public final class Checker {
  private final BlobStore store;
  private final Repository repo;
  private final List<String> errors = new ArrayList<>();
  private final List<String> notices = new ArrayList<>();

  /** {@code repo} may be null for a keyless check. */
  public Checker(BlobStore store, Repository repo) {
    this.store = store;
    this.repo = repo;
  }

  /**
   * @param readDataPercent 0 = structure only; 100 = read every pack; in between, a random subset
   *     of packs of about that share (seeded by {@code seed} so a run can be repeated)
   */
  public CheckReport run(int readDataPercent, long seed) {
    if (readDataPercent < 0 || readDataPercent > 100) {
      throw new IllegalArgumentException("read-data share must be 0..100 percent, got " + readDataPercent);
    }
    Repository.readConfig(store);
    for (StoreEntry k : store.list(StoreKeys.KEYS)) {
      try {
        KeyFile.decode(store.get(k.key()), k.key());
      } catch (CairnException e) {
        errors.add(e.getMessage());
      }
    }
    try (IdSetFile indexed = new IdSetFile(tempDir)) {
      // Packs: names, framing, and with read-data every byte. One pack in memory at a time.
      Random rnd = new Random(seed);
      long blobsRead = 0;
      long blobs = 0;
      Map<Id, StoreEntry> packs = new HashMap<>();
      Set<Id> badPacks = new HashSet<>();
      for (StoreEntry e : store.list(StoreKeys.DATA)) {
        Id packId;
        try {
          packId = StoreKeys.idOf(e.key());
        } catch (IllegalArgumentException ex) {
          notices.add(e.key() + ": not a pack name (ignored)");
          continue;
        }
        packs.put(packId, e);
        boolean read = readDataPercent == 100 || (readDataPercent > 0 && rnd.nextInt(100) < readDataPercent);
        try {
          List<PackEntry> entries;
          if (read) {
            byte[] data = store.get(e.key());
            if (!ContentAddressed.matches(e.key(), data)) {
              errors.add(e.key() + ": content does not match its name (SHA-256): bit rot or tampering");
              badPacks.add(packId);
              continue;
            }
            entries = PackFormat.parse(data, e.key());
            if (repo != null) {
              for (PackEntry pe : entries) {
                byte[] ct = java.util.Arrays.copyOfRange(data, (int) pe.offset(), (int) pe.offset() + pe.length());
                try {
                  repo.openBlob(pe.type(), pe.id(), ct, e.key());
                  blobsRead++;
                } catch (CairnException ex) {
                  errors.add(ex.getMessage());
                }
              }
            }
          } else {
            entries = readHeader(e);
          }
          blobs += entries.size();
        } catch (CairnException ex) {
          errors.add(ex.getMessage());
          badPacks.add(packId);
        }
      }
      // Index against packs, one segment at a time; within a segment, entries are visited pack by
      // pack (a counting sort of their positions), so each pack header is read once per segment.
      long segments = 0;
      long indexEntries = 0;
      // Blobs of damaged or missing packs, by pack: whether another copy serves is settled below.
      Map<Id, List<Id>> unavailable = new HashMap<>();
      for (StoreEntry e : store.list(StoreKeys.INDEX)) {
        segments++;
        try {
          byte[] data = ContentAddressed.get(store, e.key());
          IndexSegment seg = IndexSegment.open(data, e.key());
          int[] start = new int[seg.packCount() + 1];
          for (int i = 0; i < seg.size(); i++) {
            start[seg.packOrdinal(i) + 1]++;
          }
          for (int k = 0; k < seg.packCount(); k++) {
            start[k + 1] += start[k];
          }
          int[] order = new int[seg.size()];
          int[] fill = java.util.Arrays.copyOf(start, start.length);
          for (int i = 0; i < seg.size(); i++) {
            order[fill[seg.packOrdinal(i)]++] = i;
          }
          for (int k = 0; k < seg.packCount(); k++) {
            Id packId = seg.pack(k);
            StoreEntry pack = packs.get(packId);
            Map<Id, PackEntry> header = null;
            if (pack != null && !badPacks.contains(packId) && start[k + 1] > start[k]) {
              header = new HashMap<>();
              for (PackEntry pe : readHeader(pack)) {
                header.put(pe.id(), pe);
              }
            }
            for (int j = start[k]; j < start[k + 1]; j++) {
              IndexEntry ie = seg.entry(order[j]);
              indexed.add(ie.blob());
              indexEntries++;
              if (pack == null || badPacks.contains(packId)) {
                unavailable.computeIfAbsent(packId, x -> new ArrayList<>()).add(ie.blob());
              }
              if (pack == null) {
                errors.add(e.key() + ": blob " + ie.blob().shortHex() + " is in pack " + packId.hex() + ", which is missing");
                continue;
              }
              if (header == null) {
                continue;
              }
              PackEntry pe = header.get(ie.blob());
              if (pe == null) {
                errors.add(e.key() + ": blob " + ie.blob().shortHex() + " is not in pack " + packId.hex());
              } else if (pe.offset() != ie.offset() || pe.length() != ie.length() || pe.type() != ie.type()) {
                errors.add(e.key() + ": entry for blob " + ie.blob().shortHex() + " disagrees with the pack header");
              }
            }
          }
        } catch (CairnException ex) {
          errors.add(ex.getMessage());
        }
      }
      indexed.seal();
      if (blobs > indexEntries) {
        notices.add((blobs - indexEntries) + " blob copies are in packs but in no index (left by an interrupted "
            + "backup, or duplicates; no snapshot depends on them)");
      }
      reportCopies(unavailable, packs, badPacks);
      // Snapshots against the index.
      long snapshots = 0;
      long trees = 0;
      for (StoreEntry e : store.list(StoreKeys.SNAPSHOTS)) {
        snapshots++;
        try {
          SnapshotCodec.Decoded d = SnapshotEnvelopes.load(store, StoreKeys.idOf(e.key()));
          long missing = 0;
          String firstMissing = null;
          int w = d.refWidth();
          for (int at = 0; at < d.refs().length; at += w) {
            if (!indexed.containsPrefix(d.refs(), at, w)) {
              missing++;
              if (firstMissing == null) {
                firstMissing = java.util.HexFormat.of().formatHex(d.refs(), at, at + w);
              }
            }
          }
          if (missing > 0) {
            errors.add(e.key() + ": " + missing + " referenced blobs are missing (first: " + firstMissing
                + (w < Id.LENGTH ? "…" : "") + ")");
          }
          if (repo != null) {
            Snapshot s = repo.loadSnapshot(StoreKeys.idOf(e.key()));
            trees += walk(s, s.content().tree(), "", d);
          }
        } catch (CairnException ex) {
          errors.add(ex.getMessage());
        }
      }
      return new CheckReport(packs.size(), blobs, segments, snapshots, trees, blobsRead,
          List.copyOf(errors), List.copyOf(notices));
    }
  }

  /**
   * Says, for each damaged or missing pack, how many of its blobs another intact pack still
   * holds (a tree's ditto copy, docs/format.md "Ditto copies of trees"): those cost nothing yet.
   * Reads the index a second time, only when some pack is unavailable.
   */
  private void reportCopies(Map<Id, List<Id>> unavailable, Map<Id, StoreEntry> packs, Set<Id> badPacks) {
    if (unavailable.isEmpty()) {
      return;
    }
    Set<Id> suspect = new HashSet<>();
    unavailable.values().forEach(suspect::addAll);
    Set<Id> covered = new HashSet<>();
    for (StoreEntry e : store.list(StoreKeys.INDEX)) {
      try {
        for (Iterator<IndexEntry> it = IndexSegment.open(ContentAddressed.get(store, e.key()), e.key()).iterator();
            it.hasNext(); ) {
          IndexEntry ie = it.next();
          if (suspect.contains(ie.blob()) && packs.containsKey(ie.pack()) && !badPacks.contains(ie.pack())) {
            covered.add(ie.blob());
          }
        }
      } catch (CairnException ex) {
        // reported by the first pass
      }
    }
    for (Map.Entry<Id, List<Id>> u : unavailable.entrySet()) {
      long n = u.getValue().size();
      long safe = u.getValue().stream().filter(covered::contains).count();
      if (safe == 0) {
        continue;
      }
      errors.add(StoreKeys.pack(u.getKey()) + ": " + (safe == n ? "all " + n : safe + " of " + n)
          + " of its blobs have an intact copy in another pack" + (safe == n ? ", so nothing is lost yet" : "")
          + "; run 'cairn repair packs' to make new copies");
    }
  }

  private final java.nio.file.Path tempDir = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"));

  private List<PackEntry> readHeader(StoreEntry e) {
    List<PackEntry> entries = PackHeader.read(store, e.key(), e.size()).entries();
    PackFormat.checkPreamble(store.getRange(e.key(), 0, PackFormat.PREAMBLE_LENGTH), e.key());
    return entries;
  }

  /** Loads every tree of a snapshot and checks that every file's chunks are indexed. */
  private long walk(Snapshot s, Id tree, String path, SnapshotCodec.Decoded d) {
    long count = 1;
    List<Node> nodes;
    try {
      nodes = repo.loadTree(tree);
    } catch (CairnException ex) {
      errors.add("snapshot " + s.id().shortHex() + ": tree of '" + (path.isEmpty() ? "/" : path) + "': " + ex.getMessage());
      return count;
    }
    for (Node n : nodes) {
      String p = path + "/" + n.displayName();
      if (n.kind() == NodeKind.DIRECTORY) {
        count += walk(s, n.subtree(), p, d);
      } else if (n.kind() == NodeKind.FILE) {
        for (Id c : n.content()) {
          if (repo.locate(c).isEmpty()) {
            errors.add("snapshot " + s.id().shortHex() + ": " + p + " needs blob " + c.shortHex() + ", which is missing");
            break;
          }
        }
      }
    }
    return count;
  }
}
