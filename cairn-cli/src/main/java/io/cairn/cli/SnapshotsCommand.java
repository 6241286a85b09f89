package io.cairn.cli;

import io.cairn.text.Units;
import io.cairn.repository.Repository;
import io.cairn.repository.Snapshot;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "snapshots", mixinStandardHelpOptions = true, description = "List snapshots, oldest first.")
final class SnapshotsCommand extends RepoCommand {
  static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

  @Option(names = "--host", paramLabel = "HOST", description = "Only snapshots of HOST.")
  String host;

  @Option(names = "--tag", paramLabel = "TAG", description = "Only snapshots with TAG.")
  String tag;

  @Override
  public Integer call() {
    try (Repository repo = openForSnapshots()) {
      List<Snapshot> all = repo.listSnapshots(e -> err().println("warning: " + e.getMessage()));
      List<Snapshot> shown = all.stream()
          .filter(s -> host == null || s.envelope().host().equals(host))
          .filter(s -> tag == null || s.envelope().tags().contains(tag)).toList();
      if (json()) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Snapshot s : shown) {
          rows.add(toJson(s));
        }
        printJson(rows);
        return ExitCodes.OK;
      }
      out().printf("%-8s  %-19s  %-16s  %-16s  %10s  %s%n", "ID", "Time", "Host", "Tags", "Size", "Paths");
      out().println("-".repeat(90));
      for (Snapshot s : shown) {
        List<String> paths = s.content().paths();
        out().printf("%-8s  %-19s  %-16s  %-16s  %10s  %s%s%n", s.id().shortHex(), TIME.format(s.envelope().time()),
            s.envelope().host(), String.join(",", s.envelope().tags()),
            Units.bytes(s.envelope().summary().logicalBytes()), paths.isEmpty() ? "" : paths.getFirst(),
            s.envelope().partial() ? "  (partial)" : "");
        for (int i = 1; i < paths.size(); i++) {
          out().printf("%-8s  %-19s  %-16s  %-16s  %10s  %s%n", "", "", "", "", "", paths.get(i));
        }
      }
      out().println("-".repeat(90));
      out().println(shown.size() + " snapshot" + (shown.size() == 1 ? "" : "s"));
    }
    return ExitCodes.OK;
  }

  static Map<String, Object> toJson(Snapshot s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", s.id().hex());
    m.put("short_id", s.id().shortHex());
    m.put("time", s.envelope().time().toString());
    m.put("host", s.envelope().host());
    m.put("tags", s.envelope().tags());
    m.put("paths", s.content().paths());
    m.put("username", s.content().username());
    m.put("tree", s.content().tree().hex());
    m.put("parent", s.envelope().parent() == null ? null : s.envelope().parent().hex());
    m.put("partial", s.envelope().partial());
    m.put("locked_until", s.envelope().lockedUntil() == null ? null : s.envelope().lockedUntil().toString());
    m.put("summary", s.envelope().summary());
    return m;
  }
}
