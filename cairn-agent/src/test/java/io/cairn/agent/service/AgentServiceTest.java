package io.cairn.agent.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.agent.Restore;
import io.cairn.agent.RestoreRequest;
import io.cairn.repository.Repository;
import io.cairn.repository.RepositoryOptions;
import io.cairn.repository.Snapshot;
import io.cairn.store.FileSystemStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The resident agent on a compressed schedule, against real repositories: jobs run again and
 * again in one process, a file added between runs is in the next snapshot, a run missed while
 * the agent was stopped happens at once, a job whose repository is unreachable fails, is retried
 * and says why, and the state file tells it all.
 */
class AgentServiceTest {
  static final char[] PASSWORD = "agent test password".toCharArray();
  @TempDir Path tmp;

  @Test
  void jobsRunOnTheirSchedulesCatchUpAndRetry() throws Exception {
    Path repoDir = tmp.resolve("repo");
    Repository.init(new FileSystemStore(repoDir), PASSWORD, Repository.InitSettings.DEFAULT,
        RepositoryOptions.defaults(tmp.resolve("init-cache"))).close();
    Files.writeString(tmp.resolve("pw"), new String(PASSWORD) + "\n");
    Path docs = Files.createDirectories(tmp.resolve("docs"));
    Path etc = Files.createDirectories(tmp.resolve("etc"));
    Files.writeString(docs.resolve("a.txt"), "first\n");
    Files.writeString(etc.resolve("hosts"), "127.0.0.1 localhost\n");
    String yaml = """
        repository: repo
        password-file: pw
        host: agent-test
        state-dir: state
        retry: 1s
        jobs:
          - name: docs
            paths: [docs]
            every: 1s
          - name: etc
            paths: [etc]
            exclude: ["*.swp"]
            every: 2s
            jitter: 200ms
          - name: nightly
            paths: [etc]
            at: "03:00"
          - name: offsite
            repository: %s
            paths: [docs]
            every: 1h
        """.formatted(tmp.resolve("no-such-repository"));
    AgentConfig config = AgentConfig.parse(yaml, "agent.yaml", tmp);
    // The nightly job last ran two days ago: the agent was stopped since, so it runs at once.
    AgentState.load(config.stateDir()).put("nightly", new AgentState.JobState(Instant.now().minus(Duration.ofDays(2)),
        null, null, "ok", null, null, 0, 0, 0, 0, 0, 0, null, null));

    List<String> events = Collections.synchronizedList(new ArrayList<>());
    AgentService service = new AgentService(config, location -> Repository.open(new FileSystemStore(Path.of(location)),
        PASSWORD, RepositoryOptions.defaults(tmp.resolve("cache"))), Clock.systemUTC(), ZoneId.of("UTC"),
        (kind, fields) -> events.add(kind + " " + fields));
    Thread t = Thread.ofPlatform().start(service::run);
    try {
      awaitState(service, "docs", s -> s.lastEnd() != null && "ok".equals(s.result()));
      Files.writeString(docs.resolve("b.txt"), "added while the agent runs\n");
      Instant added = Instant.now();
      awaitState(service, "docs", s -> s.lastStart() != null && s.lastStart().isAfter(added) && s.lastEnd() != null);
      awaitState(service, "etc", s -> s.lastEnd() != null);
      awaitState(service, "offsite", s -> s.failuresInARow() >= 2);
    } finally {
      service.stop();
      t.join(60_000);
    }
    assertThat(t.isAlive()).isFalse();

    AgentState state = AgentState.load(config.stateDir());
    AgentState.JobState nightly = state.job("nightly");
    assertThat(nightly.result()).isEqualTo("ok");
    assertThat(nightly.lastDue()).isAfter(Instant.now().minus(Duration.ofMinutes(5)));
    assertThat(nightly.nextRun()).isAfter(Instant.now());
    AgentState.JobState offsite = state.job("offsite");
    assertThat(offsite.result()).isEqualTo("failed");
    assertThat(offsite.message()).contains("no-such-repository");
    assertThat(offsite.lastSuccess()).isNull();
    // Retried after 1 s, then 2 s: not an hour later.
    assertThat(offsite.nextRun()).isBefore(Instant.now().plus(Duration.ofMinutes(1)));
    assertThat(state.job("docs").result()).isEqualTo("ok");
    assertThat(events).anyMatch(e -> e.startsWith("run.end") && e.contains("job=docs") && e.contains("result=ok"))
        .anyMatch(e -> e.startsWith("agent.stop"));

    try (Repository repo = Repository.open(new FileSystemStore(repoDir), PASSWORD,
        RepositoryOptions.defaults(tmp.resolve("check-cache")))) {
      List<Snapshot> snaps = repo.listSnapshots();
      assertThat(snaps).allMatch(s -> s.envelope().host().equals("agent-test"));
      long docsRuns = snaps.stream().filter(s -> s.content().paths().equals(List.of(docs.toString()))).count();
      assertThat(docsRuns).isGreaterThanOrEqualTo(2);
      Snapshot latest = snaps.stream().filter(s -> s.content().paths().equals(List.of(docs.toString())))
          .reduce((a, b) -> b).orElseThrow();
      // Each run compared with the one before: the latest read only the file added.
      assertThat(latest.envelope().parent()).isNotNull();
      Path out = tmp.resolve("out");
      new Restore(repo, new RestoreRequest(latest, docs.toString(), out, List.of(), false, true, 0),
          new io.cairn.agent.Progress()).run();
      assertThat(Files.readString(out.resolve("b.txt"))).isEqualTo("added while the agent runs\n");
      assertThat(snaps.stream().filter(s -> s.content().paths().equals(List.of(etc.toString()))).count())
          .as("etc and nightly").isGreaterThanOrEqualTo(2);
    }
  }

  static void awaitState(AgentService service, String job, Predicate<AgentState.JobState> done) throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (!done.test(service.state().job(job))) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("job " + job + " did not get there: " + service.state().job(job));
      }
      Thread.sleep(50);
    }
  }
}
