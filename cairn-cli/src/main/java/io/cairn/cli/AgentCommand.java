package io.cairn.cli;

import io.cairn.agent.service.AgentConfig;
import io.cairn.agent.service.AgentService;
import io.cairn.agent.service.AgentState;
import io.cairn.repository.Repository;
import io.cairn.repository.RepositoryOptions;
import io.cairn.store.BlobStore;
import io.cairn.text.Units;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "agent", mixinStandardHelpOptions = true,
    description = {"Run as the resident agent: the jobs of a configuration file, each on its schedule.",
        "Backups run inside this process, warm, one per repository at a time. A run missed while the "
            + "machine slept or the agent was stopped happens when it starts again; a failed run is "
            + "tried again after 'retry', doubling up to the job's period. Each start and end is logged "
            + "as one line of JSON on standard output. Stop it with SIGTERM (systemctl stop): runs under "
            + "way finish first."},
    subcommands = {AgentCommand.Status.class},
    footer = {"", "Configuration (YAML, see docs/agent.md):",
        "  repository: https://vault.example.net:8443/repos/acme/web1",
        "  password-file: /etc/cairn/password",
        "  jobs:",
        "    - name: system",
        "      paths: [/etc, /home, /srv]",
        "      exclude: [\"*.tmp\", \"/home/*/.cache\"]",
        "      at: \"02:30\"",
        "      jitter: 30m",
        "", "  cairn agent --config /etc/cairn/agent.yaml",
        "  cairn agent status --config /etc/cairn/agent.yaml"})
final class AgentCommand extends RepoCommand {
  @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "The agent's configuration (required).")
  Path config;

  static AgentConfig read(Path config) {
    if (config == null) {
      throw new IllegalArgumentException("no configuration given: use --config FILE (see 'cairn agent --help')");
    }
    return AgentConfig.read(config);
  }

  @Override
  public Integer call() {
    AgentConfig cfg = read(config);
    java.io.PrintWriter log = out();
    AgentService service = new AgentService(cfg, location -> openAt(cfg, location), Clock.systemUTC(),
        ZoneId.systemDefault(), (kind, fields) -> {
          Map<String, Object> line = new LinkedHashMap<>();
          line.put("time", Instant.now().toString());
          line.put("event", kind);
          line.putAll(fields);
          synchronized (log) {
            log.println(io.cairn.format.Json.compact(line));
            log.flush();
          }
        });
    Thread stopper = new Thread(() -> {
      try {
        service.stopAndWait(Duration.ofMinutes(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "cairn-agent-stop");
    Runtime.getRuntime().addShutdownHook(stopper);
    try {
      service.run();
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(stopper);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running: that is how this run ends
      }
    }
    return ExitCodes.OK;
  }

  /** Opens a job's repository with the configuration's password file, as {@code cairn -r} would. */
  private Repository openAt(AgentConfig cfg, String location) {
    BlobStore store = storeAt(location);
    Repository.readConfig(store);
    RepositoryOptions o = RepositoryOptions.defaults(cfg.cacheDir() != null ? cfg.cacheDir() : cacheDir());
    return Repository.open(store, readPasswordFile(cfg.passwordFile()), o);
  }

  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "Each job's schedule, last run and its result, and next run, from the agent's state.")
  static final class Status implements Callable<Integer> {
    @ParentCommand
    AgentCommand agent;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "The agent's configuration (required).")
    Path config;

    @Override
    public Integer call() {
      AgentConfig cfg = read(config != null ? config : agent.config);
      AgentState state = AgentState.load(cfg.stateDir());
      Instant now = Instant.now();
      java.io.PrintWriter out = agent.out();
      boolean anyFailed = false;
      Map<String, Object> all = new LinkedHashMap<>();
      for (AgentConfig.Job job : cfg.jobs()) {
        AgentState.JobState s = state.job(job.name());
        anyFailed |= "failed".equals(s.result());
        if (agent.json()) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("schedule", job.schedule().toString());
          m.put("repository", job.repository());
          m.put("state", s);
          all.put(job.name(), m);
          continue;
        }
        out.printf("%s  (%s, to %s)%n", job.name(), job.schedule(), job.repository());
        if (s.lastStart() == null) {
          out.println("  no run yet");
        } else {
          out.printf("  last run:  %s, %s ago, took %s%s%n", s.result(), Units.span(Duration.between(s.lastStart(), now)),
              Units.span(Duration.ofMillis(s.durationMillis())), s.snapshot() == null ? ""
                  : ", snapshot " + s.snapshot().substring(0, 8) + " (" + s.files() + " files, "
                      + Units.bytes(s.newBytes()) + " new)");
          if (s.message() != null) {
            out.printf("  why:       %s%n", s.message());
          }
          if (s.failuresInARow() > 0) {
            out.printf("  failed %d time%s in a row; last success %s%n", s.failuresInARow(),
                s.failuresInARow() == 1 ? "" : "s", s.lastSuccess() == null ? "never"
                    : Units.span(Duration.between(s.lastSuccess(), now)) + " ago");
          }
        }
        if (s.nextRun() != null) {
          out.printf("  next run:  %s%n", s.nextRun().isAfter(now) ? "in " + Units.span(Duration.between(now,
              s.nextRun())) + " (" + s.nextRun() + ")" : "now");
        }
      }
      if (agent.json()) {
        agent.printJson(all);
      }
      return anyFailed ? ExitCodes.ERROR : ExitCodes.OK;
    }
  }
}
