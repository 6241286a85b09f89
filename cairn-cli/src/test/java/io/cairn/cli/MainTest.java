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
}
