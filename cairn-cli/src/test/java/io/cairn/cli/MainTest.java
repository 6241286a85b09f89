package io.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** Which subcommand the arguments name, so that only its picocli model is built. */
class MainTest {
  private static Class<?> requested(String... args) {
    return Main.requested(args);
  }

  @Test
  void findsTheSubcommandPastTheGlobalOptions() {
    assertThat(requested("backup", "/data")).isEqualTo(BackupCommand.class);
    assertThat(requested("-r", "/srv/repo", "snapshots")).isEqualTo(SnapshotsCommand.class);
    assertThat(requested("--repo", "/srv/repo", "-q", "--json", "restore", "latest")).isEqualTo(RestoreCommand.class);
    assertThat(requested("--repo=/srv/repo", "ls", "latest")).isEqualTo(LsCommand.class);
    assertThat(requested("-r/srv/repo", "check")).isEqualTo(CheckCommand.class);
    assertThat(requested("-qr", "/srv/repo", "stats")).isEqualTo(StatsCommand.class);
    assertThat(requested("--password-file", "pw", "--cache-dir", "c", "--credentials", "k", "--retry-for", "5m",
        "prune")).isEqualTo(PruneCommand.class);
  }

  @Test
  void anOptionValueThatLooksLikeACommandIsNotTakenForOne() {
    assertThat(requested("-r", "backup", "snapshots")).isEqualTo(SnapshotsCommand.class);
    assertThat(requested("--password-file", "init", "forget")).isEqualTo(ForgetCommand.class);
    assertThat(requested("-qr", "check", "diff")).isEqualTo(DiffCommand.class);
  }

  @Test
  void helpUnknownNamesAndUnknownOptionsBuildEveryCommand() {
    assertThat(requested()).isNull();
    assertThat(requested("--help")).isNull();
    assertThat(requested("help", "backup")).isNull();
    assertThat(requested("bogus")).isNull();
    assertThat(requested("-x", "backup")).isNull();
    assertThat(requested("--", "backup")).isNull();
  }

  @Test
  void helpStillListsEveryCommandAndAnUnknownOneIsAnError() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    assertThat(Main.run(new String[] {"--help"}, new PrintWriter(out, true), new PrintWriter(err, true))).isZero();
    for (Class<?> c : Main.COMMANDS) {
      String name = c.getAnnotation(picocli.CommandLine.Command.class).name();
      assertThat(out.toString()).as(name).containsPattern("(?m)^  " + name + " ");
    }
    assertThat(out.toString()).containsPattern("(?m)^  help ");
    StringWriter out2 = new StringWriter();
    StringWriter err2 = new StringWriter();
    assertThat(Main.run(new String[] {"bogus"}, new PrintWriter(out2, true), new PrintWriter(err2, true))).isEqualTo(2);
    assertThat(err2.toString()).contains("bogus");
  }

  private static Cli.Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Cli.Result(exit, out.toString(), err.toString());
  }

  @Test
  void anUnknownCommandIsAUsageErrorEvenWithHelp() {
    Cli.Result r = run("nosuchcommand", "--help");
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("unknown command 'nosuchcommand'").contains("backup");
    assertThat(r.out()).isEmpty();
    assertThat(run("-r", "/srv/repo", "bogus").err()).contains("unknown command 'bogus'");
    assertThat(run("help", "backup").exit()).isZero();
  }

  @Test
  void serverAndEnrollListOnlyTheOptionsTheyUse() {
    Cli.Result server = run("server", "--help");
    assertThat(server.exit()).isZero();
    assertThat(server.out()).contains("--data").contains("--port").doesNotContain("--repo")
        .doesNotContain("--password-file").doesNotContain("--retry-for").doesNotContain("--json");
    assertThat(run("server", "-r", "/srv/repo").exit()).isEqualTo(ExitCodes.USAGE);
    Cli.Result enroll = run("enroll", "--help");
    assertThat(enroll.out()).contains("--token").contains("--credentials").contains("--json")
        .doesNotContain("--repo").doesNotContain("--password-file");
    assertThat(run("backup", "--help").out()).contains("--repo").contains("--password-file");
  }

  @Test
  void withJsonErrorsAreOneJsonObjectOnStderr() throws Exception {
    Cli.Result usage = run("--json", "backup", "--nosuch");
    assertThat(usage.exit()).isEqualTo(ExitCodes.USAGE);
    var u = io.cairn.format.Json.MAPPER.readTree(usage.err());
    assertThat(u.get("message_type").asText()).isEqualTo("error");
    assertThat(u.get("exit_code").asInt()).isEqualTo(ExitCodes.USAGE);
    assertThat(u.get("message").asText()).contains("--nosuch");
    Cli.Result missing = run("--json", "-r", "/nonexistent/repo", "snapshots");
    assertThat(missing.exit()).isEqualTo(ExitCodes.NO_REPOSITORY);
    var m = io.cairn.format.Json.MAPPER.readTree(missing.err());
    assertThat(m.get("exit_code").asInt()).isEqualTo(ExitCodes.NO_REPOSITORY);
    assertThat(m.get("message").asText()).contains("/nonexistent/repo");
  }

  @Test
  void anUnreadablePasswordFileSaysWhy() throws Exception {
    Cli.Result r = run("-r", "/nonexistent/repo", "--password-file", "/nonexistent/password", "init");
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("cannot read password file /nonexistent/password: not found");
  }
}
