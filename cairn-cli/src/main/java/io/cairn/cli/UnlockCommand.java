package io.cairn.cli;

import io.cairn.maintenance.RepositoryLock;
import io.cairn.repository.Repository;
import io.cairn.repository.RepositoryOptions;
import io.cairn.store.BlobStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "unlock", mixinStandardHelpOptions = true,
    description = {"Remove the locks of prunes and repairs that stopped without releasing them.",
        "Only one prune or repair runs on a repository at a time; each holds a lock that it renews "
            + "every 5 minutes. A lock not renewed for 30 minutes, or held by a process of this machine "
            + "that has ended, is stale and is removed by the next prune anyway. Backups and restores "
            + "take no lock. Needs no password."},
    footer = {"", "--all also removes live locks: only when you know that their prune or repair has stopped."})
final class UnlockCommand extends RepoCommand {
  @Option(names = "--all", description = "Remove every lock, also those that look live.")
  boolean all;

  @Option(names = {"-n", "--dry-run"}, description = "List the locks and what would be removed; change nothing.")
  boolean dryRun;

  @Override
  public Integer call() {
    refuseOnServer(dryRun, "the server's repositories are locked and unlocked by the server itself");
    BlobStore store = store();
    Repository.readConfig(store);
    Instant now = Clock.systemUTC().instant();
    String host = RepositoryOptions.localHost();
    List<Map<String, Object>> rows = new ArrayList<>();
    for (RepositoryLock.Held h : RepositoryLock.list(store)) {
      boolean stale = h.staleAt(now, host);
      boolean remove = stale || all;
      if (remove && !dryRun) {
        store.delete(h.key());
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("key", h.key());
      if (h.record() != null) {
        m.put("operation", h.record().operation());
        m.put("host", h.record().host());
        m.put("pid", h.record().pid());
        m.put("started", h.record().started().toString());
        m.put("renewed", h.record().written().toString());
      }
      m.put("stale", stale);
      m.put(dryRun ? "would_remove" : "removed", remove);
      rows.add(m);
    }
    if (json()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("dry_run", dryRun);
      m.put("locks", rows);
      printJson(m);
      return ExitCodes.OK;
    }
    if (rows.isEmpty()) {
      out().println("no locks: no prune or repair is running");
      return ExitCodes.OK;
    }
    for (Map<String, Object> r : rows) {
      String who = r.containsKey("operation") ? r.get("operation") + " (pid " + r.get("pid") + " on " + r.get("host")
          + ", since " + r.get("started") + ", renewed " + r.get("renewed") + ")" : r.get("key") + " (not a lock)";
      boolean remove = (Boolean) r.get(dryRun ? "would_remove" : "removed");
      out().println((remove ? (dryRun ? "would remove " : "removed ") : "kept ") + ((Boolean) r.get("stale")
          ? "stale lock of " : "live lock of ") + who);
    }
    if (!all && rows.stream().anyMatch(r -> !(Boolean) r.get("stale"))) {
      out().println("a live lock belongs to a prune or repair that is running; if you are sure it stopped, "
          + "use --all");
    }
    if (dryRun) {
      out().println("dry run: nothing was changed");
    }
    return ExitCodes.OK;
  }
}
