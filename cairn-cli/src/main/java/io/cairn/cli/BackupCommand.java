package io.cairn.cli;

import io.cairn.text.Units;
import io.cairn.maintenance.RetentionPolicy;
import io.cairn.agent.Backup;
import io.cairn.agent.BackupRequest;
import io.cairn.agent.BackupResult;
import io.cairn.agent.Excludes;
import io.cairn.agent.Progress;
import io.cairn.format.SnapshotSummary;
import io.cairn.repository.Repository;
import io.cairn.repository.Snapshot;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "backup", mixinStandardHelpOptions = true,
    description = {"Back up files and directories, or a stream from stdin or a command.",
        "Files unchanged since the parent snapshot (size, mtime, ctime, inode) are not read again."},
    footer = {"", "Examples:", "  cairn -r /srv/repo backup /home /etc --exclude '*.tmp'",
        "  pg_dump db | cairn -r /srv/repo backup --stdin --stdin-name db.sql",
        "  cairn -r /srv/repo backup --stdin-from-command --stdin-name db.sql -- pg_dump db"})
final class BackupCommand extends RepoCommand {
  @Parameters(paramLabel = "PATH", arity = "0..*", description = "What to back up (with --stdin-from-command: the command).")
  List<String> paths = new ArrayList<>();

  @Option(names = {"-e", "--exclude"}, paramLabel = "PATTERN",
      description = "Skip entries matching PATTERN (glob; with '/' it matches the absolute path). Repeatable.")
  List<String> excludes = new ArrayList<>();

  @Option(names = "--exclude-file", paramLabel = "FILE", description = "Read exclude patterns from FILE. Repeatable.")
  List<Path> excludeFiles = new ArrayList<>();

  @Option(names = {"-x", "--one-file-system"}, description = "Do not cross file-system boundaries.")
  boolean oneFileSystem;

  @Option(names = "--tag", paramLabel = "TAG", description = "Add TAG to the snapshot. Repeatable.")
  List<String> tags = new ArrayList<>();

  @Option(names = "--host", paramLabel = "HOST", description = "Record HOST instead of this machine's name.")
  String host;

  @Option(names = "--parent", paramLabel = "SNAPSHOT", description = "Compare with SNAPSHOT (default: latest of this host and paths).")
  String parent;

  @Option(names = "--force", description = "Read every file even if unchanged.")
  boolean force;

  @Option(names = "--stdin", description = "Back up standard input as one file.")
  boolean stdin;

  @Option(names = "--stdin-name", paramLabel = "NAME", description = "File name for --stdin (default: stdin).")
  String stdinName = "stdin";

  @Option(names = "--stdin-from-command", description = "Run the command given after '--' and back up its output; "
      + "a non-zero exit aborts the backup.")
  boolean stdinFromCommand;

  @Option(names = "--fixed-chunks", paramLabel = "SIZE", description = "Fixed-size chunks (for disk images), e.g. 1MiB.")
  String fixedChunks;

  @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default: one per core).")
  int threads;

  @Option(names = "--lock-for", paramLabel = "DURATION",
      description = "Make the snapshot immutable for DURATION (e.g. 30d): forget and prune cannot remove it "
          + "or anything it references before then.")
  String lockFor;

  @Option(names = "--lock-until", paramLabel = "TIME", description = "Immutable until TIME (ISO-8601, e.g. 2027-01-31T00:00:00Z).")
  String lockUntil;

  private java.time.Instant lockedUntil(Repository repo) {
    if (lockFor != null && lockUntil != null) {
      throw new IllegalArgumentException("give --lock-for or --lock-until, not both");
    }
    if (lockFor != null) {
      return repo.options().clock().instant().plus(RetentionPolicy.parseWithin(lockFor));
    }
    if (lockUntil != null) {
      try {
        return java.time.Instant.parse(lockUntil);
      } catch (java.time.format.DateTimeParseException e) {
        throw new IllegalArgumentException("--lock-until takes an ISO-8601 instant such as 2027-01-31T00:00:00Z");
      }
    }
    return null;
  }

  @Override
  public Integer call() throws Exception {
    List<String> patterns = new ArrayList<>(excludes);
    patterns.addAll(Excludes.readFiles(excludeFiles));
    try (Repository repo = open()) {
      String h = host != null ? host : repo.options().host();
      int fixed = fixedChunks == null ? 0 : (int) Units.parseSize(fixedChunks);
      Progress progress = new Progress();
      progress.wantsTotals(progressWanted());
      BackupResult result;
      if (stdin || stdinFromCommand) {
        BackupRequest req = new BackupRequest(List.of(), patterns, false, tags, h, null, fixed, lockedUntil(repo), threads);
        Backup b = new Backup(repo, req, progress);
        try (ProgressDisplay d = new ProgressDisplay("backup", progress, progressWanted())) {
          result = stdinFromCommand ? fromCommand(b) : b.runStream(stdinName, System.in, () -> null);
        }
      } else {
        if (paths.isEmpty()) {
          throw new IllegalArgumentException("nothing to back up: give at least one PATH, or --stdin");
        }
        List<Path> ps = paths.stream().map(Path::of).toList();
        Snapshot par = force ? null : findParent(repo, h, ps);
        io.cairn.trace.Trace.mark("backup: parent found");
        BackupRequest req = new BackupRequest(ps, patterns, oneFileSystem, tags, h, par, fixed, lockedUntil(repo), threads);
        try (ProgressDisplay d = new ProgressDisplay("backup", progress, progressWanted())) {
          result = new Backup(repo, req, progress).run();
        }
      }
      io.cairn.trace.Trace.mark("backup: done");
      report(result);
      return result.partial() ? ExitCodes.PARTIAL : ExitCodes.OK;
    }
  }

  private Snapshot findParent(Repository repo, String h, List<Path> ps) {
    if (parent != null) {
      return repo.findSnapshot(parent, null);
    }
    return Backup.latestOf(repo, h, ps);
  }

  private BackupResult fromCommand(Backup b) throws IOException, InterruptedException {
    if (paths.isEmpty()) {
      throw new IllegalArgumentException("--stdin-from-command needs a command after '--'");
    }
    Process p = new ProcessBuilder(paths).redirectInput(ProcessBuilder.Redirect.INHERIT)
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try (InputStream in = p.getInputStream()) {
      return b.runStream(stdinName, in, () -> {
        try {
          int rc = p.waitFor();
          return rc == 0 ? null : "command '" + String.join(" ", paths) + "' exited with code " + rc;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return "interrupted while waiting for the command";
        }
      });
    } finally {
      if (p.isAlive()) {
        p.destroy();
        p.waitFor(5, TimeUnit.SECONDS);
      }
    }
  }

  private void report(BackupResult r) {
    for (String e : r.errors()) {
      err().println("error: " + e);
    }
    for (String w : r.warnings()) {
      err().println("warning: " + w);
    }
    SnapshotSummary s = r.summary();
    if (json()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("snapshot", r.snapshot().hex());
      m.put("partial", r.partial());
      m.put("summary", s);
      m.put("errors", r.errors());
      m.put("warnings", r.warnings());
      printJson(m);
      return;
    }
    out().printf("Files:       %d new, %d changed, %d unchanged%n", s.newFiles(), s.changedFiles(), s.unchangedFiles());
    out().printf("Directories: %d%n", s.directories());
    out().printf("Processed:   %s in %s%n", Units.bytes(s.logicalBytes()),
        Units.duration(java.time.Duration.ofMillis(s.durationMillis())));
    out().printf("Added:       %s (%s stored after compression and encryption)%n",
        Units.bytes(s.newLogicalBytes()), Units.bytes(s.newStoredBytes()));
    out().println("snapshot " + r.snapshot().shortHex() + " saved" + (r.partial()
        ? " (partial: " + r.errors().size() + " entries could not be read)" : ""));
  }
}
