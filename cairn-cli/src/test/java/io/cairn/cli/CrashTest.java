package io.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real cairn processes are killed with SIGKILL at random moments of backup, forget and prune
 * (seeded, so a failure can be replayed). After every kill: check reads every blob and finds no
 * damage, every committed snapshot that retention kept restores bit for bit, and the next
 * backup succeeds. The ordering rules this relies on are in docs/design.md, "Write ordering".
 */
class CrashTest {
  @TempDir Path tmp;

  static Map<String, String> contents(Path dir) throws Exception {
    Map<String, String> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        m.put(dir.relativize(p).toString(), java.util.HexFormat.of().formatHex(
            java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
      }
    }
    return m;
  }

  static Set<String> snapshotIds(Cli cli) throws Exception {
    Set<String> ids = new HashSet<>();
    for (JsonNode n : CliEndToEndTest.json(cli.run("--json", "snapshots").out())) {
      ids.add(n.get("id").asText());
    }
    return ids;
  }

  static void write(Path dir, Random r, int files, int size) throws Exception {
    byte[] b = new byte[size];
    for (int i = 0; i < files; i++) {
      r.nextBytes(b);
      Files.write(dir.resolve("f" + r.nextInt(files * 2)), b);
    }
  }

  void assertHealthy(Cli cli, Path src, Map<String, Map<String, String>> expected, String when) throws Exception {
    Cli.Result check = cli.run("check", "--read-data");
    assertThat(check.exit()).as(when + ": " + check.err()).isZero();
    for (String id : snapshotIds(cli)) {
      assertThat(expected).as(when + ": unknown snapshot " + id).containsKey(id);
      Path out = tmp.resolve("restore-" + id.substring(0, 8) + "-" + System.nanoTime());
      Cli.Result r = cli.run("restore", id + ":" + src, "--target", out.toString());
      assertThat(r.exit()).as(when + ": " + r.err()).isZero();
      assertThat(contents(out)).as(when + ": snapshot " + id).isEqualTo(expected.get(id));
    }
  }

  @Test
  void killingBackupForgetAndPruneAtRandomLosesNothing() throws Exception {
    Cli cli = new Cli(tmp);
    Path src = Files.createDirectories(tmp.resolve("src"));
    Random r = new Random(42);
    write(src, r, 6, 3 << 20);
    assertThat(cli.run("init").exit()).isZero();
    Map<String, Map<String, String>> expected = new HashMap<>();
    Set<String> before = snapshotIds(cli);
    assertThat(cli.run("backup", src.toString()).exit()).isZero();
    recordNew(cli, before, contents(src), expected);
    int killed = 0;
    for (int i = 0; i < 6; i++) {
      write(src, r, 3, 3 << 20);
      Map<String, String> now = contents(src);
      before = snapshotIds(cli);
      killed += runAndKill(cli, r.nextInt(2500), "backup", src.toString());
      recordNew(cli, before, now, expected);
      assertHealthy(cli, src, expected, "after killed backup " + i);
    }
    for (int i = 0; i < 6; i++) {
      killed += runAndKill(cli, r.nextInt(1200), "forget", "--keep-last", "3");
      killed += runAndKill(cli, r.nextInt(1500), "prune", "--grace", "0", "--fence-margin", "0");
      assertHealthy(cli, src, expected, "after killed prune " + i);
    }
    assertThat(killed).as("processes actually killed").isGreaterThan(3);
    // The next backup and two complete prunes work, and leave a clean repository.
    write(src, r, 2, 1 << 20);
    before = snapshotIds(cli);
    Map<String, String> last = contents(src);
    assertThat(cli.run("backup", src.toString()).exit()).isZero();
    recordNew(cli, before, last, expected);
    assertThat(cli.run("prune", "--grace", "0", "--fence-margin", "0").exit()).isZero();
    assertThat(cli.run("prune", "--grace", "0", "--fence-margin", "0").exit()).isZero();
    assertHealthy(cli, src, expected, "at the end");
  }

  /** Starts the command, kills it after {@code delayMillis} unless it finished; 1 if killed. */
  static int runAndKill(Cli cli, int delayMillis, String... args) throws Exception {
    Process p = cli.start(args);
    if (p.waitFor(delayMillis, TimeUnit.MILLISECONDS)) {
      return 0;
    }
    p.destroyForcibly();
    p.waitFor();
    return 1;
  }

  static void recordNew(Cli cli, Set<String> before, Map<String, String> now,
      Map<String, Map<String, String>> expected) throws Exception {
    for (String id : snapshotIds(cli)) {
      if (!before.contains(id)) {
        expected.put(id, now);
      }
    }
  }

  @Test
  void anInterruptedFirstBackupIsResumedWithoutUploadingAgain() throws Exception {
    Cli cli = new Cli(tmp);
    Path src = Files.createDirectories(tmp.resolve("big"));
    Random r = new Random(7);
    byte[] b = new byte[2 << 20];
    for (int i = 0; i < 48; i++) {
      r.nextBytes(b);
      Files.write(src.resolve("f" + i), b);
    }
    assertThat(cli.run("init").exit()).isZero();
    Process p = cli.start("backup", src.toString());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (packBytes(cli.repo) < (40L << 20) && p.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    p.destroyForcibly();
    p.waitFor();
    long stored = packBytes(cli.repo);
    assertThat(stored).as("packs stored before the kill").isGreaterThan(16L << 20);
    assertThat(snapshotIds(cli)).isEmpty();
    Cli.Result resumed = cli.run("--json", "backup", src.toString());
    assertThat(resumed.exit()).as(resumed.err()).isZero();
    long uploadedAgain = CliEndToEndTest.json(resumed.out()).get("summary").get("newStoredBytes").asLong();
    assertThat(uploadedAgain).isLessThan((96L << 20) - stored + (2L << 20));
    assertThat(cli.run("check", "--read-data").exit()).isZero();
  }

  static long packBytes(Path repo) throws Exception {
    if (!Files.isDirectory(repo.resolve("data"))) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(repo.resolve("data"))) {
      long n = 0;
      for (Path f : s.filter(Files::isRegularFile).toList()) {
        n += Files.size(f);
      }
      return n;
    }
  }
}
