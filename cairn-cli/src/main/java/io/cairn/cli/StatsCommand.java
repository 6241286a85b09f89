package io.cairn.cli;

import io.cairn.text.Units;
import io.cairn.format.SnapshotSummary;
import io.cairn.repository.Repository;
import io.cairn.maintenance.RepositoryUsage;
import io.cairn.repository.Snapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "stats", mixinStandardHelpOptions = true,
    description = {"Show sizes per snapshot, as recorded when each was made, and for the repository, measured",
        "from what it stores now. logical: bytes of all files as backed up; new: data a snapshot added",
        "when it was made; referenced: the stored (compressed, encrypted) blobs the snapshots need;",
        "reduction = logical / referenced, deduplication and compression together."})
final class StatsCommand extends RepoCommand {
  @Parameters(arity = "0..*", paramLabel = "SNAPSHOT", description = "Only these snapshots (default: all).")
  List<String> refs = new ArrayList<>();

  @Override
  public Integer call() {
    try (Repository repo = open()) {
      List<Snapshot> snaps = refs.isEmpty() ? repo.listSnapshots(e -> err().println("warning: " + e.getMessage()))
          : refs.stream().map(r -> repo.findSnapshot(r, null)).toList();
      long logical = 0;
      List<Map<String, Object>> rows = new ArrayList<>();
      for (Snapshot s : snaps) {
        SnapshotSummary sum = s.envelope().summary();
        logical += sum.logicalBytes();
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
      RepositoryUsage u = RepositoryUsage.measure(repo.store(), snaps.stream().map(Snapshot::id).toList(),
          repo.index().segments(), java.nio.file.Path.of(System.getProperty("java.io.tmpdir")));
      Map<String, Object> repoStats = new LinkedHashMap<>();
      repoStats.put("snapshots", snaps.size());
      repoStats.put("logical_bytes", logical);
      repoStats.put("referenced_index_entries", u.referencedEntries());
      repoStats.put("referenced_bytes", u.referencedBytes());
      repoStats.put("referenced_tree_bytes", u.referencedTreeBytes());
      repoStats.put("indexed_entries", u.indexedEntries());
      repoStats.put("indexed_bytes", u.indexedBytes());
      repoStats.put("pack_count", u.packs());
      repoStats.put("pack_bytes", u.packBytes());
      repoStats.put("repository_bytes", u.repositoryBytes());
      repoStats.put("reduction_ratio", ratio(logical, u.referencedBytes()));
      repoStats.put("space_saving_ratio", ratio(logical, u.repositoryBytes()));
      if (json()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("repository", repoStats);
        m.put("snapshots", rows);
        printJson(m);
        return ExitCodes.OK;
      }
      out().println("Per snapshot, as recorded when it was made:");
      out().printf("%-8s  %12s  %12s  %12s  %8s  %6s%n", "ID", "Logical", "New", "New stored", "Dedup", "Compr");
      for (int i = 0; i < snaps.size(); i++) {
        Map<String, Object> m = rows.get(i);
        out().printf("%-8s  %12s  %12s  %12s  %7.1f%%  %6s%n", snaps.get(i).id().shortHex(),
            Units.bytes((Long) m.get("logical_bytes")), Units.bytes((Long) m.get("new_bytes")),
            Units.bytes((Long) m.get("new_stored_bytes")), 100 * (Double) m.get("already_stored_fraction"),
            Units.ratio((Double) m.get("compression_ratio")));
      }
      out().println();
      out().println("The repository, measured from what it stores now" + (refs.isEmpty() ? ":" : " (for these snapshots):"));
      out().printf("Snapshots:          %d%n", snaps.size());
      out().printf("Logical size:       %s (all files of %s)%n", Units.bytes(logical),
          refs.isEmpty() ? "all snapshots" : "these snapshots");
      out().printf("Referenced data:    %s in %d index entries, %s of it trees (stored: compressed and "
          + "encrypted)%n", Units.bytes(u.referencedBytes()), u.referencedEntries(), Units.bytes(u.referencedTreeBytes()));
      out().printf("Stored in packs:    %s in %d packs, %d index entries%n", Units.bytes(u.packBytes()), u.packs(),
          u.indexedEntries());
      out().printf("Repository on disk: %s%n", Units.bytes(u.repositoryBytes()));
      out().printf("Reduction:          %s (logical / referenced: deduplication and compression together)%n",
          Units.ratio(ratio(logical, u.referencedBytes())));
      out().printf("Overall saving:     %s (logical / on disk)%n", Units.ratio(ratio(logical, u.repositoryBytes())));
    }
    return ExitCodes.OK;
  }

  private static double ratio(long a, long b) {
    return b == 0 ? Double.NaN : (double) a / b;
  }
}
