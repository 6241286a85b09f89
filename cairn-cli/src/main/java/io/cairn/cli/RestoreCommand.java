package io.cairn.cli;

import io.cairn.text.Units;
import io.cairn.agent.Progress;
import io.cairn.agent.Restore;
import io.cairn.agent.RestoreRequest;
import io.cairn.agent.RestoreResult;
import io.cairn.repository.Repository;
import io.cairn.repository.Snapshot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "restore", mixinStandardHelpOptions = true,
    description = {"Restore a snapshot, or a path inside it, into a directory.",
        "Contents, permissions (setuid/setgid/sticky included), owners (as root), nanosecond mtimes, "
            + "user.* xattrs, symlinks, hard links, FIFOs and sparse files come back as they were."},
    footer = {"", "Examples:", "  cairn -r /srv/repo restore latest --target /tmp/r",
        "  cairn -r /srv/repo restore 1a2b3c4d:/home/alice --target /tmp/r --include '*.pdf'"})
final class RestoreCommand extends RepoCommand {
  @Parameters(index = "0", paramLabel = "SNAPSHOT[:PATH]", description = "Snapshot id, prefix, or 'latest'; optional path inside it.")
  String ref;

  @Option(names = {"-t", "--target"}, required = true, paramLabel = "DIR", description = "Where to restore to.")
  Path target;

  @Option(names = {"-i", "--include"}, paramLabel = "PATTERN", description = "Restore only paths matching PATTERN (glob). Repeatable.")
  List<String> includes = new ArrayList<>();

  @Option(names = "--dry-run", description = "Show what would be restored; write nothing.")
  boolean dryRun;

  @Option(names = "--verify", description = "Read every restored file back and check it against the snapshot.")
  boolean verify;

  @Option(names = "--threads", paramLabel = "N", description = "Parallel file writers (default: two per core).")
  int threads;

  @Override
  public Integer call() {
    SnapshotPath sp = SnapshotPath.parse(ref);
    try (Repository repo = open()) {
      Snapshot s = repo.findSnapshot(sp.snapshot(), null);
      Progress progress = new Progress();
      RestoreResult r;
      try (ProgressDisplay d = new ProgressDisplay("restore", progress, progressWanted() && !dryRun)) {
        r = new Restore(repo, new RestoreRequest(s, sp.path(), target, includes, dryRun, verify, threads), progress).run();
      }
      for (String w : r.warnings()) {
        err().println("warning: " + w);
      }
      for (String e : r.errors()) {
        err().println("error: " + e);
      }
      if (json()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("snapshot", s.id().hex());
        m.put("target", target.toAbsolutePath().toString());
        m.put("result", r);
        printJson(m);
      } else {
        out().printf("%s %d files (%s), %d directories, %d other entries from snapshot %s to %s%n",
            r.dryRun() ? "Would restore" : "Restored", r.files(), Units.bytes(r.bytes()), r.directories(), r.others(),
            s.id().shortHex(), target.toAbsolutePath());
        if (verify && !dryRun) {
          out().printf("Verified %d files%n", r.verifiedFiles());
        }
      }
      if (!r.errors().isEmpty()) {
        err().println("cairn: " + r.errors().size() + " entries could not be restored");
        return ExitCodes.ERROR;
      }
    }
    return ExitCodes.OK;
  }
}
