package io.cairn.cli;

import io.cairn.text.Units;
import io.cairn.maintenance.RetentionPolicy;
import io.cairn.maintenance.Pruner;
import io.cairn.maintenance.RepositoryLock;
import io.cairn.repository.Repository;
import io.cairn.store.BlobStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "prune", mixinStandardHelpOptions = true,
    description = {"Free the space of data no snapshot references, without a password and without "
        + "stopping backups.",
        "Each run condemns unreferenced data and removes what an earlier run condemned once the grace "
            + "period has passed and every backup that was running then has finished; backups never "
            + "reuse condemned data. Mostly-empty packs are rewritten by copying the encrypted blobs.",
        "Plans first and prints the plan; --dry-run stops there."},
    footer = {"", "Typical schedule: 'cairn forget ...' then 'cairn prune' daily."})
final class PruneCommand extends RepoCommand {
  @Option(names = {"-n", "--dry-run"}, description = "Show the plan; change nothing.")
  boolean dryRun;

  @Option(names = "--grace", paramLabel = "DURATION", description = "Minimum age of a condemnation before its data is removed (default 1h).")
  String grace = "1h";

  @Option(names = "--repack-threshold", paramLabel = "PERCENT", description = "Rewrite a pack when at least this share of it is garbage (default 20).")
  double threshold = 20;

  @Option(names = "--fence-margin", paramLabel = "DURATION", hidden = true,
      description = "How far after its writing a condemnation is dated (default 5m; 0 only when no backup can run).")
  String fenceMargin = "5m";

  @Override
  public Integer call() {
    serverDoesThis("prune", dryRun);
    BlobStore store = store();
    Repository.readConfig(store);
    Duration g = grace.equals("0") ? Duration.ZERO : RetentionPolicy.parseWithin(grace);
    Pruner pruner = new Pruner(store, Clock.systemUTC(),
        new Pruner.Options(g, threshold / 100.0, Pruner.Options.DEFAULT.sessionMaxAge(),
            fenceMargin.equals("0") ? Duration.ZERO : RetentionPolicy.parseWithin(fenceMargin)),
        io.cairn.repository.RepositoryOptions.localHost());
    Pruner.Plan plan;
    Pruner.Result result;
    // A dry run changes nothing and needs no lock; a prune holds it from its plan to its end.
    try (RepositoryLock lock = dryRun ? null : RepositoryLock.acquire(store, "prune",
        io.cairn.repository.RepositoryOptions.localHost(), Clock.systemUTC())) {
      plan = pruner.plan();
      result = dryRun ? null : pruner.execute(plan);
    }
    if (json()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("dry_run", dryRun);
      m.put("snapshots", plan.snapshots());
      m.put("referenced_blobs", plan.referencedBlobs());
      m.put("condemned_now", plan.condemn().size());
      m.put("condemned_lists_swept", plan.sweptLists().size());
      m.put("blobs_removed", plan.remove().size());
      m.put("packs_deleted", plan.deletePacks().size());
      m.put("packs_repacked", plan.repackPacks().size());
      m.put("bytes_freed", plan.bytesFreed());
      m.put("bytes_copied", plan.bytesRepacked());
      m.put("scratch_files", plan.abandonedScratch().size());
      m.put("scratch_bytes", plan.scratchBytes());
      m.put("notes", plan.notes());
      Pruner.Waiting w = plan.waiting();
      Map<String, Object> waiting = new LinkedHashMap<>();
      waiting.put("lists", w.lists());
      waiting.put("blob_copies", w.blobCopies());
      waiting.put("grace_ends", w.graceEnds() == null ? null : w.graceEnds().toString());
      waiting.put("session_since", w.sessionSince() == null ? null : w.sessionSince().toString());
      m.put("waiting", waiting);
      if (result != null) {
        m.put("packs_written", result.packsWritten());
        m.put("scratch_removed", result.scratchRemoved());
      }
      printJson(m);
      return ExitCodes.OK;
    }
    out().printf("%d snapshots reference %d blobs%n", plan.snapshots(), plan.referencedBlobs());
    out().printf("condemn now:      %d unreferenced blob copies (removed by a later prune)%n", plan.condemn().size());
    out().printf("remove now:       %d blob copies condemned earlier, from %d lists%n", plan.remove().size(),
        plan.sweptLists().size());
    out().printf("packs:            %d to delete, %d to rewrite (copying %s)%n", plan.deletePacks().size(),
        plan.repackPacks().size(), Units.bytes(plan.bytesRepacked()));
    out().printf("space freed:      %s%n", Units.bytes(plan.bytesFreed()));
    if (!plan.abandonedScratch().isEmpty()) {
      out().printf("scratch files:    %d left by processes that died (%s), removed with the rest%n",
          plan.abandonedScratch().size(), Units.bytes(plan.scratchBytes()));
    }
    for (String n : plan.notes()) {
      out().println("note: " + n);
    }
    waiting(plan.waiting(), g);
    out().println(dryRun ? "dry run: nothing was changed" : "done: " + result.packsDeleted() + " packs deleted, "
        + result.packsWritten() + " written");
    return ExitCodes.OK;
  }

  /** Says when what this run could not remove yet will go, and what decides it. */
  private void waiting(Pruner.Waiting w, Duration g) {
    if (w.lists() == 0) {
      return;
    }
    out().printf("waiting:          %d blob copies condemned earlier (%d list%s) stay for now%n", w.blobCopies(),
        w.lists(), w.lists() == 1 ? "" : "s");
    Instant now = Clock.systemUTC().instant();
    if (w.graceEnds() != null) {
      out().printf("                  the grace period of %s ends at %s (in %s); a prune after that removes "
          + "them (--grace DURATION sets the period)%n", Units.span(g), SnapshotsCommand.TIME.format(w.graceEnds()),
          Units.span(Duration.between(now, w.graceEnds())));
    }
    if (w.sessionSince() != null) {
      out().printf("                  a backup that started at %s is still writing; a prune after it ends "
          + "removes them%n", SnapshotsCommand.TIME.format(w.sessionSince()));
    }
  }
}
