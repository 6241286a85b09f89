package io.cairn.cli;

import io.cairn.maintenance.Repairer;
import io.cairn.maintenance.RepositoryLock;
import io.cairn.repository.Repository;
import io.cairn.store.BlobStore;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "repair", mixinStandardHelpOptions = true,
    description = {"Rebuild what can be rebuilt after damage.",
        "index: a new index from the headers of every intact pack (no password needed).",
        "packs: re-store every blob of a damaged pack that still decrypts and verifies, drop the pack.",
        "snapshots: rewrite snapshots that reference lost data without the lost files; the rest stays "
            + "restorable. Rewritten snapshots are tagged 'repaired'."},
    footer = {"", "Usual order after 'cairn check' reports damage: repair packs, repair index, repair snapshots."})
final class RepairCommand extends RepoCommand {
  @Parameters(index = "0", paramLabel = "WHAT", description = "index | packs | snapshots")
  String what;

  @Option(names = {"-n", "--dry-run"}, description = "Report what would be done; change nothing.")
  boolean dryRun;

  @Option(names = "--forget", description = "With 'snapshots': remove the damaged originals (locked ones stay).")
  boolean forget;

  /** A repair holds the repository against prunes and other repairs; a dry run takes no lock. */
  private RepositoryLock lock(BlobStore store) {
    return dryRun ? null : RepositoryLock.acquire(store, "repair " + what,
        io.cairn.repository.RepositoryOptions.localHost(), java.time.Clock.systemUTC());
  }

  @Override
  public Integer call() {
    serverDoesThis("repair", dryRun);
    Map<String, Object> m = new LinkedHashMap<>();
    Repairer r;
    switch (what) {
      case "index" -> {
        BlobStore store = store();
        Repository.readConfig(store);
        r = new Repairer(store);
        try (RepositoryLock lock = lock(store)) {
          m.put("blobs_indexed", r.repairIndex(dryRun));
        }
      }
      case "packs" -> {
        try (Repository repo = open(); RepositoryLock lock = lock(repo.store())) {
          r = new Repairer(repo.store());
          m.put("blobs_salvaged", r.repairPacks(repo, dryRun));
        }
      }
      case "snapshots" -> {
        try (Repository repo = open(); RepositoryLock lock = lock(repo.store())) {
          r = new Repairer(repo.store());
          m.put("snapshots_rewritten", r.repairSnapshots(repo, dryRun, forget));
        }
      }
      default -> throw new IllegalArgumentException("unknown WHAT '" + what + "'; use index, packs or snapshots");
    }
    m.put("dry_run", dryRun);
    m.put("report", r.report());
    if (json()) {
      printJson(m);
    } else {
      r.report().forEach(line -> out().println(line));
      if (dryRun) {
        out().println("dry run: nothing was changed");
      }
    }
    return ExitCodes.OK;
  }
}
