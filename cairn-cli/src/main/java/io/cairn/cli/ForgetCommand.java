package io.cairn.cli;

import io.cairn.maintenance.RetentionPlanner;
import io.cairn.maintenance.RetentionPolicy;
import io.cairn.maintenance.SnapshotEnvelopes;
import io.cairn.store.BlobStore;
import io.cairn.store.StoreKeys;
import io.cairn.repository.Repository;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "forget", mixinStandardHelpOptions = true,
    description = {"Remove snapshots according to a retention policy (the data they alone use is "
        + "freed later by prune).",
        "Snapshots are grouped by host and paths; each rule keeps its own picks and a snapshot stays if "
            + "any rule keeps it. A snapshot locked until a future time always stays.",
        "Needs no password: it reads only the snapshots' plaintext envelopes. When a password is given "
            + "(--password-file, CAIRN_PASSWORD_FILE or CAIRN_PASSWORD), groups are shown with their paths; "
            + "without one, with the first characters of their paths' keyed hash."},
    footer = {"", "Examples:", "  cairn forget --keep-daily 7 --keep-weekly 5 --keep-monthly 12 --dry-run",
        "  cairn forget --keep-within 30d --keep-tag release"})
final class ForgetCommand extends RepoCommand {
  @Option(names = "--keep-last", paramLabel = "N", description = "Keep the N newest snapshots.") int last;
  @Option(names = "--keep-hourly", paramLabel = "N", description = "Keep the newest snapshot of each of the N newest hours.") int hourly;
  @Option(names = "--keep-daily", paramLabel = "N", description = "... of each of the N newest days.") int daily;
  @Option(names = "--keep-weekly", paramLabel = "N", description = "... of each of the N newest ISO weeks.") int weekly;
  @Option(names = "--keep-monthly", paramLabel = "N", description = "... of each of the N newest months.") int monthly;
  @Option(names = "--keep-yearly", paramLabel = "N", description = "... of each of the N newest years.") int yearly;

  @Option(names = "--keep-within", paramLabel = "DURATION",
      description = "Keep snapshots newer than the group's newest minus DURATION (e.g. 30d, 1y6m, 12h).")
  String within;

  @Option(names = "--keep-tag", paramLabel = "TAG", description = "Keep snapshots with TAG. Repeatable.")
  List<String> tags = new ArrayList<>();

  @Option(names = "--host", paramLabel = "HOST", description = "Only consider snapshots of HOST.")
  String host;

  @Option(names = {"-n", "--dry-run"}, description = "Show what would be removed and why each snapshot stays; remove nothing.")
  boolean dryRun;

  @Override
  public Integer call() {
    serverDoesThis("forget", dryRun);
    RetentionPolicy policy = new RetentionPolicy(last, hourly, daily, weekly, monthly, yearly,
        within == null ? null : RetentionPolicy.parseWithin(within), new HashSet<>(tags));
    BlobStore store = store();
    Repository.readConfig(store);
    List<RetentionPlanner.Candidate> all = SnapshotEnvelopes.list(store, e -> err().println("warning: " + e.getMessage()));
    List<RetentionPlanner.Candidate> considered = all.stream()
        .filter(c -> host == null || c.envelope().host().equals(host)).toList();
    List<RetentionPlanner.Decision> plan = new RetentionPlanner(ZoneId.systemDefault())
        .plan(considered, policy, Clock.systemUTC().instant());
    Map<String, List<String>> paths = plan.isEmpty() ? Map.of() : pathsByTag();
    int removed = 0;
    List<Map<String, Object>> rows = new ArrayList<>();
    String group = null;
    for (RetentionPlanner.Decision d : plan) {
      if (!json() && !d.group().equals(group)) {
        group = d.group();
        String tag = d.snapshot().envelope().pathsTag();
        List<String> p = paths.get(tag);
        out().println("host " + d.snapshot().envelope().host() + ", paths " + (p != null ? String.join(", ", p)
            : "tagged " + tag.substring(0, Math.min(8, tag.length()))) + ":");
      }
      String id = d.snapshot().id().hex();
      if (!d.keep() && !dryRun) {
        store.delete(StoreKeys.snapshot(d.snapshot().id()));
        removed++;
      }
      if (json()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("time", d.snapshot().envelope().time().toString());
        m.put("group", d.group());
        m.put("paths", paths.get(d.snapshot().envelope().pathsTag()));
        m.put("keep", d.keep());
        m.put("reasons", d.reasons());
        rows.add(m);
      } else {
        out().printf("  %-6s %s  %s  %s%n", d.keep() ? "keep" : (dryRun ? "would remove" : "remove"),
            id.substring(0, 8), SnapshotsCommand.TIME.format(d.snapshot().envelope().time()),
            d.keep() ? String.join(", ", d.reasons()) : "");
      }
    }
    long goes = plan.stream().filter(d -> !d.keep()).count();
    if (json()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("dry_run", dryRun);
      m.put("snapshots", rows);
      m.put("removed", removed);
      printJson(m);
    } else {
      out().println(dryRun ? goes + " of " + plan.size() + " snapshots would be removed (dry run)"
          : removed + " of " + plan.size() + " snapshots removed; run 'cairn prune' to free their data");
    }
    return ExitCodes.OK;
  }

  /**
   * The backed-up paths of each group, by paths tag, when a password is given without asking
   * for one (forget itself needs none); empty without it, or when it does not open the repository.
   */
  private Map<String, List<String>> pathsByTag() {
    char[] password = givenPassword();
    if (password == null) {
      return Map.of();
    }
    Map<String, List<String>> out = new HashMap<>();
    try (Repository repo = Repository.openForSnapshots(store(), password, options())) {
      for (io.cairn.repository.Snapshot s : repo.listSnapshots(e -> { })) {
        out.putIfAbsent(s.envelope().pathsTag(), s.content().paths());
      }
    } catch (io.cairn.crypto.WrongPasswordException e) {
      err().println("warning: " + e.getMessage() + "; groups are shown by their paths' tag");
    }
    return out;
  }
}
