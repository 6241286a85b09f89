package io.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PruneTest {
  @TempDir Path tmp;

  static long dataBytes(Path repo) throws Exception {
    try (Stream<Path> s = Files.walk(repo.resolve("data"))) {
      long n = 0;
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        n += Files.size(p);
      }
      return n;
    }
  }

  /** A spool file of a backup killed days ago is shown by the plan and removed by the run. */
  @Test
  void pruneRemovesScratchFilesOfDeadProcesses() throws Exception {
    Cli cli = new Cli(tmp);
    assertThat(cli.run("init").exit()).isZero();
    Path scratch = Files.createDirectories(cli.repo.resolve(".tmp"));
    Path stale = Files.write(scratch.resolve("3f2a9c1e-killed.tmp"), new byte[4096]);
    Files.setLastModifiedTime(stale, java.nio.file.attribute.FileTime.from(
        java.time.Instant.now().minus(java.time.Duration.ofDays(3))));
    Path live = Files.write(scratch.resolve("77aa-live.tmp"), new byte[10]);

    Cli.Result dry = cli.run("--json", "prune", "--dry-run");
    assertThat(dry.exit()).as(dry.err()).isZero();
    JsonNode plan = CliEndToEndTest.json(dry.out());
    assertThat(plan.get("scratch_files").asInt()).isEqualTo(1);
    assertThat(plan.get("scratch_bytes").asLong()).isEqualTo(4096);
    assertThat(stale).exists();
    Cli.Result text = cli.run("prune", "--dry-run");
    assertThat(text.out()).contains("scratch files:    1 left by processes that died");

    Cli.Result run = cli.run("--json", "prune");
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(CliEndToEndTest.json(run.out()).get("scratch_removed").asInt()).isEqualTo(1);
    assertThat(stale).doesNotExist();
    assertThat(live).exists();
  }

  /** A prune or repair while another runs is refused and names it; unlock removes only what is stale. */
  @Test
  void aSecondPruneOrRepairIsRefusedAndUnlockRemovesOnlyStaleLocks() throws Exception {
    Cli cli = new Cli(tmp);
    assertThat(cli.run("init").exit()).isZero();
    io.cairn.store.FileSystemStore store = new io.cairn.store.FileSystemStore(cli.repo);
    java.time.Clock clock = java.time.Clock.systemUTC();
    try (var running = io.cairn.maintenance.RepositoryLock.acquire(store, "garbage collection", "vault-node-2", clock)) {
      for (String[] cmd : new String[][] {{"prune"}, {"repair", "index"}, {"repair", "packs"}}) {
        Cli.Result r = cli.run(cmd);
        assertThat(r.exit()).as(String.join(" ", cmd)).isEqualTo(ExitCodes.ERROR);
        assertThat(r.err()).contains("another garbage collection is running on this repository")
            .contains("on vault-node-2").contains("cairn unlock");
      }
      // A dry run changes nothing and is not refused.
      assertThat(cli.run("prune", "--dry-run").exit()).isZero();
      Cli.Result kept = cli.run("unlock");
      assertThat(kept.exit()).as(kept.err()).isZero();
      assertThat(kept.out()).contains("kept live lock of garbage collection").contains("use --all");
      assertThat(cli.run("prune").exit()).isEqualTo(ExitCodes.ERROR);
      Cli.Result all = cli.run("--json", "unlock", "--all");
      assertThat(CliEndToEndTest.json(all.out()).get("locks").get(0).get("removed").asBoolean()).isTrue();
      Cli.Result after = cli.run("prune");
      assertThat(after.exit()).as(after.err()).isZero();
    }
    // A prune of this machine that was killed: its lock is stale at once.
    Process dead = new ProcessBuilder("true").start();
    dead.waitFor();
    java.time.Instant now = clock.instant();
    store.putIfAbsent(io.cairn.store.StoreKeys.lock(io.cairn.format.Id.parse("ab".repeat(32))), new io.cairn.format.LockRecord(
        "prune", io.cairn.repository.RepositoryOptions.localHost(), dead.pid(), now, now).encode());
    Cli.Result dry = cli.run("unlock", "--dry-run");
    assertThat(dry.out()).contains("would remove stale lock of prune (pid " + dead.pid());
    assertThat(io.cairn.maintenance.RepositoryLock.list(store)).hasSize(1);
    assertThat(cli.run("unlock").out()).contains("removed stale lock of prune");
    assertThat(io.cairn.maintenance.RepositoryLock.list(store)).isEmpty();
    assertThat(cli.run("unlock").out()).contains("no locks");
  }

  @Test
  void pruneIsKeylessPlansFirstAndFreesOnlyUnreferencedData() throws Exception {
    Cli cli = new Cli(tmp);
    Path src = Files.createDirectories(tmp.resolve("src"));
    byte[] shared = new byte[2 << 20];
    byte[] a = new byte[3 << 20];
    byte[] b = new byte[3 << 20];
    Random r = new Random(4);
    r.nextBytes(shared);
    r.nextBytes(a);
    r.nextBytes(b);
    Files.write(src.resolve("shared.bin"), shared);
    Files.write(src.resolve("a.bin"), a);
    assertThat(cli.run("init").exit()).isZero();
    assertThat(cli.run("backup", src.toString()).exit()).isZero();
    Files.delete(src.resolve("a.bin"));
    Files.write(src.resolve("b.bin"), b);
    assertThat(cli.run("backup", src.toString()).exit()).isZero();
    long before = dataBytes(cli.repo);

    Path noKey = wrongPasswordFile();
    assertThat(cli.run("--password-file", noKey.toString(), "forget", "--keep-last", "1").exit()).isZero();

    // Dry run: a plan and no change, in JSON and in text.
    var beforeDry = CliDamageTest.manifest(cli.repo);
    Cli.Result dry = cli.run("--password-file", noKey.toString(), "--json", "prune", "--grace", "0", "--fence-margin", "0", "--dry-run");
    assertThat(dry.exit()).as(dry.err()).isZero();
    assertThat(CliDamageTest.manifest(cli.repo)).isEqualTo(beforeDry);
    Cli.Result dryText = cli.run("--password-file", noKey.toString(), "prune", "--grace", "0", "--fence-margin", "0", "--dry-run");
    assertThat(dryText.out()).contains("dry run: nothing was changed");
    assertThat(CliDamageTest.manifest(cli.repo)).isEqualTo(beforeDry);
    assertThat(CliEndToEndTest.json(dry.out()).get("condemned_now").asInt()).isGreaterThan(0);

    // First run condemns; nothing is removed yet.
    JsonNode first = CliEndToEndTest.json(cli.run("--password-file", noKey.toString(), "--json", "prune", "--grace", "0", "--fence-margin", "0").out());
    assertThat(first.get("blobs_removed").asInt()).isZero();
    assertThat(dataBytes(cli.repo)).isEqualTo(before);
    // Second run removes what the first condemned.
    Cli.Result second = cli.run("--password-file", noKey.toString(), "--json", "prune", "--grace", "0", "--fence-margin", "0");
    assertThat(second.exit()).as(second.err()).isZero();
    JsonNode s = CliEndToEndTest.json(second.out());
    assertThat(s.get("blobs_removed").asInt()).isGreaterThan(0);
    long after = dataBytes(cli.repo);
    assertThat(before - after).isGreaterThan(a.length - (256 << 10));

    Cli.Result check = cli.run("check", "--read-data");
    assertThat(check.exit()).as(check.err()).isZero();
    Cli.Result restore = cli.run("restore", "latest:" + src, "--target", tmp.resolve("r").toString(), "--verify");
    assertThat(restore.exit()).as(restore.err()).isZero();
    assertThat(Files.readAllBytes(tmp.resolve("r/b.bin"))).isEqualTo(b);
    assertThat(Files.readAllBytes(tmp.resolve("r/shared.bin"))).isEqualTo(shared);
    // A third run finds nothing more to do.
    JsonNode third = CliEndToEndTest.json(cli.run("--json", "prune", "--grace", "0", "--fence-margin", "0").out());
    assertThat(third.get("blobs_removed").asInt()).isZero();
    assertThat(third.get("condemned_now").asInt()).isZero();
  }

  @Test
  void aPruneWithinTheGracePeriodSaysWhenTheSpaceWillBeFreed() throws Exception {
    Cli cli = new Cli(tmp);
    Path src = tmp.resolve("src");
    initWithOneFile(cli, src);
    assertThat(cli.run("backup", src.toString()).exit()).isZero();
    Files.delete(src.resolve("a.bin"));
    assertThat(cli.run("backup", src.toString()).exit()).isZero();
    Path noKey = wrongPasswordFile();
    assertThat(cli.run("--password-file", noKey.toString(), "forget", "--keep-last", "1").exit()).isZero();

    // Within the grace period a run condemns and says when a later one will free the space.
    Cli.Result graced = cli.run("--password-file", noKey.toString(), "prune", "--grace", "2h", "--fence-margin", "0");
    Cli.Result stillGraced = cli.run("--password-file", noKey.toString(), "prune", "--grace", "2h", "--fence-margin",
        "0", "--dry-run");
    assertThat(graced.out()).doesNotContain("waiting:");
    assertThat(stillGraced.out()).containsPattern("waiting: +\\d+ blob copies condemned earlier \\(1 list\\)")
        .containsPattern("the grace period of 2 h ends at [-0-9]+ [0-9:]+ \\(in (1 h 59 min|2 h)\\)")
        .contains("--grace DURATION sets the period");
    JsonNode waiting = CliEndToEndTest.json(cli.run("--password-file", noKey.toString(), "--json", "prune", "--grace",
        "2h", "--fence-margin", "0", "--dry-run").out()).get("waiting");
    assertThat(waiting.get("lists").asInt()).isEqualTo(1);
    assertThat(java.time.Instant.parse(waiting.get("grace_ends").asText()))
        .isAfter(java.time.Instant.now().plus(java.time.Duration.ofMinutes(110)));
  }

  /** src/a.bin, 1 MiB of random bytes, beside an initialised repository; answers the file's bytes. */
  private static byte[] initWithOneFile(Cli cli, Path src) throws Exception {
    byte[] a = new byte[1 << 20];
    new Random(5).nextBytes(a);
    Files.write(Files.createDirectories(src).resolve("a.bin"), a);
    assertThat(cli.run("init").exit()).isZero();
    return a;
  }

  /** A password file with a wrong password: what forget and prune do must not need the key. */
  private Path wrongPasswordFile() throws Exception {
    Path noKey = tmp.resolve("no-key");
    Files.writeString(noKey, "not the password\n");
    return noKey;
  }

  @Test
  void lockedSnapshotsKeepTheirData() throws Exception {
    Cli cli = new Cli(tmp);
    Path src = tmp.resolve("src");
    byte[] a = initWithOneFile(cli, src);
    assertThat(cli.run("backup", "--lock-for", "7d", src.toString()).exit()).isZero();
    Files.delete(src.resolve("a.bin"));
    Files.writeString(src.resolve("other"), "x");
    assertThat(cli.run("backup", src.toString()).exit()).isZero();
    assertThat(cli.run("forget", "--keep-last", "1").exit()).isZero();
    assertThat(CliEndToEndTest.json(cli.run("--json", "snapshots").out())).hasSize(2);
    cli.run("prune", "--grace", "0", "--fence-margin", "0");
    cli.run("prune", "--grace", "0", "--fence-margin", "0");
    Cli.Result r = cli.run("restore", "latest", "--target", tmp.resolve("r").toString());
    assertThat(r.exit()).isZero();
    String locked = CliEndToEndTest.json(cli.run("--json", "snapshots").out()).get(0).get("id").asText();
    Cli.Result rl = cli.run("restore", locked + ":" + src, "--target", tmp.resolve("rl").toString(), "--verify");
    assertThat(rl.exit()).as(rl.err()).isZero();
    assertThat(Files.readAllBytes(tmp.resolve("rl/a.bin"))).isEqualTo(a);
    assertThat(cli.run("check", "--read-data").exit()).isZero();
  }

  /**
   * After forget and prune, the repository's figures are what it stores: an earlier version
   * summed the remaining snapshots' "new data" and printed 116 KiB unique and 1091x
   * deduplication for 50 MiB in packs.
   */
  @Test
  void statsAfterForgetAndPruneMeasureWhatIsStored() throws Exception {
    Cli cli = new Cli(tmp);
    Path src = Files.createDirectories(tmp.resolve("src"));
    assertThat(cli.run("init").exit()).isZero();
    Random r = new Random(9);
    for (int i = 0; i < 3; i++) {
      byte[] b = new byte[4 << 20];
      r.nextBytes(b);
      Files.deleteIfExists(src.resolve("f" + (i - 1) + ".bin"));
      Files.write(src.resolve("f" + i + ".bin"), b);
      assertThat(cli.run("backup", src.toString()).exit()).isZero();
    }
    assertThat(cli.run("forget", "--keep-last", "1").exit()).isZero();
    assertThat(cli.run("prune", "--grace", "0", "--fence-margin", "0").exit()).isZero();
    assertThat(cli.run("prune", "--grace", "0", "--fence-margin", "0").exit()).isZero();

    JsonNode repo = CliEndToEndTest.json(cli.run("--json", "stats").out()).get("repository");

    // One snapshot of 4 MiB of random data left; the other files' packs are gone.
    assertThat(repo.get("snapshots").asInt()).isEqualTo(1);
    assertThat(repo.get("logical_bytes").asLong()).isEqualTo(4L << 20);
    long referenced = repo.get("referenced_bytes").asLong();
    assertThat(referenced).isBetween(4L << 20, (4L << 20) + (1L << 20));
    assertThat(repo.get("pack_bytes").asLong()).isBetween(referenced, referenced + (1L << 20));
    assertThat(repo.get("pack_bytes").asLong()).isEqualTo(dataBytes(tmp.resolve("repo")));
    assertThat(repo.get("reduction_ratio").asDouble()).isBetween(0.9, 1.01);
    String text = cli.run("stats").out();
    assertThat(text).contains("Referenced data:    4.0").contains("measured from what it stores now");
  }
}
