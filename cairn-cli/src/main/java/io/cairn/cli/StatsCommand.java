package io.cairn.cli;

import io.cairn.format.SnapshotSummary;
import io.cairn.repository.Repository;
import io.cairn.repository.Snapshot;
import io.cairn.store.StoreEntry;
import io.cairn.store.StoreKeys;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "stats", mixinStandardHelpOptions = true,
    description = {"Show sizes, deduplication and compression, per snapshot and for the repository.",
        "logical: bytes of all files as backed up; unique: plaintext of distinct chunks stored;",
        "stored: bytes on disk. dedup = logical / unique; compression = unique / stored blobs."})
final class StatsCommand extends RepoCommand {
  @Parameters(arity = "0..*", paramLabel = "SNAPSHOT", description = "Only these snapshots (default: all).")
  List<String> refs = new ArrayList<>();

  @Override
  public Integer call() {
    try (Repository repo = open()) {
      List<Snapshot> snaps = refs.isEmpty() ? repo.listSnapshots(e -> err().println("warning: " + e.getMessage()))
          : refs.stream().map(r -> repo.findSnapshot(r, null)).toList();
      long logical = 0;
      long unique = 0;
      long storedBlobs = 0;
      List<Map<String, Object>> rows = new ArrayList<>();
      for (Snapshot s : snaps) {
        SnapshotSummary sum = s.envelope().summary();
        logical += sum.logicalBytes();
        unique += sum.newLogicalBytes();
        storedBlobs += sum.newStoredBytes();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id().hex());
        m.put("time", s.envelope().time().toString());
        m.put("logical_bytes", sum.logicalBytes());
        m.put("new_bytes", sum.newLogicalBytes());
        m.put("new_stored_bytes", sum.newStoredBytes());
        m.put("already_stored_fraction", sum.logicalBytes() == 0 ? 0.0
            : Math.max(0.0, 1.0 - (double) sum.newLogicalBytes() / sum.logicalBytes()));
        m.put("compression_ratio", ratio(sum.newLogicalBytes(), sum.newStoredBytes()));
        m.put("files", sum.files());
        m.put("referenced_blobs", s.refCount());
        rows.add(m);
      }
      long packs = 0;
      long packBytes = 0;
      for (StoreEntry e : repo.store().list(StoreKeys.DATA)) {
        packs++;
        packBytes += e.size();
      }
      long total = 0;
      for (StoreEntry e : repo.store().list("")) {
        total += e.size();
      }
      Map<String, Object> repoStats = new LinkedHashMap<>();
      repoStats.put("snapshots", snaps.size());
      repoStats.put("logical_bytes", logical);
      repoStats.put("unique_bytes", unique);
      repoStats.put("stored_blob_bytes", storedBlobs);
      repoStats.put("pack_count", packs);
      repoStats.put("pack_bytes", packBytes);
      repoStats.put("repository_bytes", total);
      repoStats.put("blobs_indexed", repo.index().size());
      repoStats.put("dedup_ratio", ratio(logical, unique));
      repoStats.put("compression_ratio", ratio(unique, storedBlobs));
      repoStats.put("space_saving_ratio", ratio(logical, total));
      if (json()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("repository", repoStats);
        m.put("snapshots", rows);
        printJson(m);
        return ExitCodes.OK;
      }
      out().printf("%-8s  %12s  %12s  %12s  %8s  %6s%n", "ID", "Logical", "New", "New stored", "Dedup", "Compr");
      for (int i = 0; i < snaps.size(); i++) {
        Map<String, Object> m = rows.get(i);
        out().printf("%-8s  %12s  %12s  %12s  %7.1f%%  %6s%n", snaps.get(i).id().shortHex(),
            Units.bytes((Long) m.get("logical_bytes")), Units.bytes((Long) m.get("new_bytes")),
            Units.bytes((Long) m.get("new_stored_bytes")), 100 * (Double) m.get("already_stored_fraction"),
            Units.ratio((Double) m.get("compression_ratio")));
      }
      out().println();
      out().printf("Snapshots:          %d%n", snaps.size());
      out().printf("Logical size:       %s (all files of all snapshots)%n", Units.bytes(logical));
      out().printf("Unique data:        %s (after deduplication)%n", Units.bytes(unique));
      out().printf("Stored in packs:    %s in %d packs%n", Units.bytes(packBytes), packs);
      out().printf("Repository on disk: %s%n", Units.bytes(total));
      out().printf("Deduplication:      %s%n", Units.ratio(ratio(logical, unique)));
      out().printf("Compression:        %s%n", Units.ratio(ratio(unique, storedBlobs)));
      out().printf("Overall saving:     %s (logical / on disk)%n", Units.ratio(ratio(logical, total)));
    }
    return ExitCodes.OK;
  }

  private static double ratio(long a, long b) {
    return b == 0 ? Double.NaN : (double) a / b;
  }
}
