package io.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.agent.service.AgentConfig;
import io.cairn.agent.service.AgentState;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `cairn agent` as a real process: it runs its jobs, logs JSON lines, stops on SIGTERM, and `status` tells. */
class AgentCliTest {
  @TempDir Path tmp;

  @Test
  void theAgentRunsItsJobsStopsCleanlyAndReportsTheirState() throws Exception {
    Cli cli = new Cli(tmp);
    assertThat(cli.run("init").exit()).isZero();
    Path docs = Files.createDirectories(tmp.resolve("docs"));
    Files.writeString(docs.resolve("letter.txt"), "dear agent\n");
    Path config = tmp.resolve("agent.yaml");
    Files.writeString(config, """
        repository: %s
        password-file: %s
        state-dir: state
        jobs:
          - name: docs
            paths: [docs]
            every: 1s
          - name: weekly
            paths: [docs]
            at: "Sun 04:00"
        """.formatted(cli.repo, cli.passwordFile));
    Path log = tmp.resolve("agent.log");
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--enable-native-access=ALL-UNNAMED", "-Xmx512m", "-cp", cli.classPath, "io.cairn.cli.Main",
        "--cache-dir", cli.cache.toString(), "agent", "--config", config.toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(log.toFile()).redirectErrorStream(true);
    pb.environment().put("CAIRN_KDF_MEMORY_KIB", "1024");
    Process agent = pb.start();
    Path stateDir = AgentConfig.read(config).stateDir();
    try {
      Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
      while (!(Files.exists(stateDir.resolve("state"))
          && AgentState.load(stateDir).job("docs").snapshot() != null && countRuns(log) >= 2)) {
        assertThat(Instant.now()).as("the agent ran no backups: " + Files.readString(log)).isBefore(deadline);
        assertThat(agent.isAlive()).as(Files.readString(log)).isTrue();
        Thread.sleep(100);
      }
    } finally {
      agent.destroy(); // SIGTERM, as systemctl stop sends
      assertThat(agent.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    }
    List<String> lines = Files.readAllLines(log);
    assertThat(lines).anyMatch(l -> l.contains("\"event\":\"agent.start\""))
        .anyMatch(l -> l.contains("\"event\":\"run.end\"") && l.contains("\"result\":\"ok\""))
        .anyMatch(l -> l.contains("\"event\":\"agent.stop\""));
    for (String l : lines) {
      assertThat(CliEndToEndTest.json(l).get("event").asText()).as(l).isNotEmpty();
    }
    assertThat(CliEndToEndTest.json(cli.run("--json", "snapshots").out())).hasSizeGreaterThanOrEqualTo(2);

    ByteArrayOutputStream o = new ByteArrayOutputStream();
    int rc;
    try (PrintWriter out = new PrintWriter(o, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(new ByteArrayOutputStream(), true)) {
      rc = Main.run(new String[] {"agent", "status", "--config", config.toString()}, out, err);
    }
    String status = o.toString(StandardCharsets.UTF_8);
    assertThat(rc).as(status).isZero();
    assertThat(status).contains("docs  (every 1 s, to " + cli.repo + ")").contains("last run:  ok")
        .contains("weekly  (Sundays at 04:00").contains("no run yet").contains("next run:  in ");
    // The repository's password and location come from the configuration, not the command line.
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    try (PrintWriter out = new PrintWriter(new ByteArrayOutputStream(), true);
        PrintWriter err = new PrintWriter(e, true, StandardCharsets.UTF_8)) {
      assertThat(Main.run(new String[] {"agent", "-r", "/elsewhere", "--config", config.toString()}, out, err))
          .isEqualTo(ExitCodes.USAGE);
    }
  }

  static long countRuns(Path log) throws Exception {
    return Files.readAllLines(log).stream().filter(l -> l.contains("\"event\":\"run.end\"")).count();
  }
}
