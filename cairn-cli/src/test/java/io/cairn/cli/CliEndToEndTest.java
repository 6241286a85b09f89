package io.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cairn.format.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliEndToEndTest {
  @TempDir Path tmp;

  static JsonNode json(String s) throws Exception {
    return Json.MAPPER.readTree(s);
  }

  Path sample() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src/sub"));
    byte[] big = new byte[3 << 20];
    new Random(5).nextBytes(big);
    Files.write(src.resolve("big.bin"), big);
    Files.writeString(src.resolve("a.txt"), "alpha\n");
    Files.writeString(src.getParent().resolve("top.txt"), "top\n");
    return src.getParent();
  }

  @Test
  void fullCycleWithJsonOutput() throws Exception {
    Cli cli = new Cli(tmp);
    Path src = sample();
    Cli.Result init = cli.run("--json", "init");
    assertThat(init.exit()).as(init.err()).isZero();
    assertThat(json(init.out()).get("id").asText()).hasSize(64);

    Cli.Result b1 = cli.run("--json", "backup", "--tag", "first", src.toString());
    assertThat(b1.exit()).as(b1.err()).isZero();
    JsonNode s1 = json(b1.out());
    assertThat(s1.get("summary").get("files").asLong()).isEqualTo(3);
    String id1 = s1.get("snapshot").asText();

    Files.writeString(src.resolve("sub/a.txt"), "alpha changed\n");
    Files.writeString(src.resolve("new.txt"), "new\n");
    Cli.Result b2 = cli.run("--json", "backup", src.toString());
    JsonNode s2 = json(b2.out());
    assertThat(s2.get("summary").get("unchangedFiles").asLong()).isEqualTo(2);
    assertThat(s2.get("summary").get("changedFiles").asLong()).isEqualTo(1);
    assertThat(s2.get("summary").get("newFiles").asLong()).isEqualTo(1);
    String id2 = s2.get("snapshot").asText();

    JsonNode snaps = json(cli.run("--json", "snapshots").out());
    assertThat(snaps).hasSize(2);
    assertThat(snaps.get(0).get("id").asText()).isEqualTo(id1);
    assertThat(snaps.get(0).get("tags").get(0).asText()).isEqualTo("first");
    assertThat(snaps.get(1).get("parent").asText()).isEqualTo(id1);

    Cli.Result ls = cli.run("ls", id2.substring(0, 8) + ":" + src + "/sub");
    assertThat(ls.out()).contains(src + "/sub/a.txt").contains(src + "/sub/big.bin").doesNotContain("top.txt");

    Cli.Result diff = cli.run("diff", id1.substring(0, 8), id2.substring(0, 8));
    assertThat(diff.out()).contains("+    " + src + "/new.txt").contains("M    " + src + "/sub/a.txt");

    Path target = tmp.resolve("restored");
    Cli.Result r = cli.run("restore", id1 + ":" + src, "--target", target.toString(), "--verify");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(Files.readString(target.resolve("sub/a.txt"))).isEqualTo("alpha\n");
    assertThat(Files.readAllBytes(target.resolve("sub/big.bin"))).isEqualTo(Files.readAllBytes(src.resolve("sub/big.bin")));

    Cli.Result dry = cli.run("restore", "latest", "--target", tmp.resolve("dry").toString(), "--dry-run");
    assertThat(dry.out()).contains("Would restore 4 files");
    assertThat(tmp.resolve("dry")).doesNotExist();

    Cli.Result inc = cli.run("restore", "latest:" + src, "--target", tmp.resolve("inc").toString(), "--include", "*.txt");
    assertThat(tmp.resolve("inc/sub/a.txt")).exists();
    assertThat(tmp.resolve("inc/sub/big.bin")).doesNotExist();
    assertThat(inc.exit()).isZero();

    JsonNode stats = json(cli.run("--json", "stats").out());
    assertThat(stats.get("repository").get("snapshots").asInt()).isEqualTo(2);
    assertThat(stats.get("repository").get("reduction_ratio").asDouble()).isGreaterThan(1.5);
    assertThat(cli.run("stats").out()).contains("Reduction:").contains("measured from what it stores now");

    assertThat(cli.run("cat", "config").out()).contains("chunkAvg");
    assertThat(cli.run("cat", "snapshot", id1.substring(0, 6)).out()).contains("\"referenced_blobs\"");
  }

  @Test
  void keysCanBeAddedUsedAndRemoved() throws Exception {
    Cli cli = new Cli(tmp);
    assertThat(cli.run("init").exit()).isZero();
    Path second = tmp.resolve("second");
    Files.writeString(second, "another password\n");
    Cli.Result add = cli.run("--json", "key", "add", "--new-password-file", second.toString());
    assertThat(add.exit()).as(add.err()).isZero();
    String newId = json(add.out()).get("id").asText();
    JsonNode keys = json(cli.run("--json", "key", "list").out());
    assertThat(keys).hasSize(2);
    // The new password opens the repository.
    Cli.Result asSecond = cli.run("--password-file", second.toString(), "snapshots");
    assertThat(asSecond.exit()).as(asSecond.err()).isZero();
    // The key in use cannot be removed; another can.
    String current = null;
    for (JsonNode k : keys) {
      if (k.get("current").asBoolean()) {
        current = k.get("id").asText();
      }
    }
    assertThat(cli.run("key", "remove", current.substring(0, 8)).exit()).isEqualTo(ExitCodes.ERROR);
    assertThat(cli.run("key", "remove", newId.substring(0, 8)).exit()).isZero();
    assertThat(cli.run("--password-file", second.toString(), "snapshots").exit()).isEqualTo(ExitCodes.WRONG_PASSWORD);
  }

  @Test
  void wrongPasswordAndMissingRepositoryHaveTheirOwnExitCodes() throws Exception {
    Cli cli = new Cli(tmp);
    Cli.Result none = cli.run("snapshots");
    assertThat(none.exit()).isEqualTo(ExitCodes.NO_REPOSITORY);
    assertThat(none.err()).contains("no repository at").contains("cairn init");
    assertThat(cli.run("init").exit()).isZero();
    Path wrong = tmp.resolve("wrong");
    Files.writeString(wrong, "not the password\n");
    Cli.Result w = cli.run("--password-file", wrong.toString(), "snapshots");
    assertThat(w.exit()).isEqualTo(ExitCodes.WRONG_PASSWORD);
    assertThat(w.err()).contains("wrong password");
    assertThat(cli.run("init").exit()).isEqualTo(ExitCodes.ERROR);
  }

  @Test
  void everyCommandHasHelp() {
    Cli.Result top = runHelp("--help");
    assertThat(top.out()).contains("Usage: cairn").contains("Exit codes");
    for (String c : List.of("init", "backup", "snapshots", "ls", "diff", "restore", "cat", "stats", "key", "check",
        "forget", "prune", "repair")) {
      Cli.Result r = runHelp(c, "--help");
      assertThat(r.exit()).isZero();
      assertThat(r.out()).as(c).contains("Usage: cairn " + c);
    }
  }

  private static Cli.Result runHelp(String... args) {
    java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
    int rc = Main.run(args, new java.io.PrintWriter(o, true), new java.io.PrintWriter(System.err, true));
    return new Cli.Result(rc, o.toString(), "");
  }

  @Test
  void stdinAndCommandBackups() throws Exception {
    Cli cli = new Cli(tmp);
    assertThat(cli.run("init").exit()).isZero();
    byte[] dump = new byte[2 << 20];
    new Random(9).nextBytes(dump);
    Cli.Result s = cli.process(List.of(), Map.of(), dump, "backup", "--stdin", "--stdin-name", "db.sql");
    assertThat(s.exit()).as(s.err()).isZero();
    Cli.Result r = cli.run("restore", "latest", "--target", tmp.resolve("r1").toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(Files.readAllBytes(tmp.resolve("r1/db.sql"))).isEqualTo(dump);

    Cli.Result ok = cli.run("backup", "--stdin-from-command", "--stdin-name", "cmd.out", "--", "sh", "-c", "echo from-command");
    assertThat(ok.exit()).as(ok.err()).isZero();
    assertThat(cli.run("restore", "latest", "--target", tmp.resolve("r2").toString()).exit()).isZero();
    assertThat(Files.readString(tmp.resolve("r2/cmd.out"))).isEqualTo("from-command\n");

    int before = json(cli.run("--json", "snapshots").out()).size();
    Cli.Result bad = cli.run("backup", "--stdin-from-command", "--stdin-name", "x", "--", "sh", "-c", "echo partial; exit 3");
    assertThat(bad.exit()).isEqualTo(ExitCodes.ERROR);
    assertThat(bad.err()).contains("exited with code 3").contains("no snapshot was written");
    assertThat(json(cli.run("--json", "snapshots").out())).hasSize(before);
  }

  @Test
  void excludesAndOneFileSystem() throws Exception {
    Cli cli = new Cli(tmp);
    assertThat(cli.run("init").exit()).isZero();
    Path src = Files.createDirectories(tmp.resolve("ex/src"));
    Files.createDirectories(src.resolve("node_modules/pkg"));
    Files.writeString(src.resolve("node_modules/pkg/index.js"), "x");
    Files.createDirectories(src.resolve("cache"));
    Files.writeString(src.resolve("cache/blob"), "x");
    Files.writeString(src.resolve("keep.txt"), "keep");
    Files.writeString(src.resolve("scratch.tmp"), "tmp");
    Files.writeString(src.resolve("notes.bak"), "bak");
    Path exFile = tmp.resolve("excludes");
    Files.writeString(exFile, "# comment\n*.bak\n\n" + src + "/cache\n");
    Path mount = Files.createDirectories(src.resolve("mounted"));
    Files.writeString(mount.resolve("under-mount-point.txt"), "hidden by the mount");
    boolean mounted = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount.toString())
        .start().waitFor() == 0;
    try {
      if (mounted) {
        Files.writeString(mount.resolve("on-other-fs.txt"), "other file system");
      }
      Cli.Result b = cli.run("backup", "--exclude", "*.tmp", "--exclude", "node_modules", "--exclude-file",
          exFile.toString(), "--one-file-system", src.toString());
      assertThat(b.exit()).as(b.err()).isZero();
      String ls = cli.run("ls", "latest").out();
      assertThat(ls).contains("keep.txt").doesNotContain("scratch.tmp").doesNotContain("node_modules")
          .doesNotContain("notes.bak").doesNotContain("cache/blob");
      if (mounted) {
        // The mount point's directory is skipped with everything on the other file system.
        assertThat(ls).doesNotContain("on-other-fs.txt");
        Cli.Result all = cli.run("backup", src.toString());
        assertThat(cli.run("ls", "latest").out()).contains("on-other-fs.txt");
        assertThat(all.exit()).isZero();
      }
    } finally {
      if (mounted) {
        new ProcessBuilder("umount", mount.toString()).start().waitFor();
      }
    }
  }
}
