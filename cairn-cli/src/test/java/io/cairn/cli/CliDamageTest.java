package io.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.format.ByteWriter;
import io.cairn.format.Id;
import io.cairn.format.PackFormat;
import io.cairn.format.SnapshotContent;
import io.cairn.format.SnapshotEnvelope;
import io.cairn.format.SnapshotSummary;
import io.cairn.repository.Repository;
import io.cairn.repository.RepositoryOptions;
import io.cairn.repository.WriteSession;
import io.cairn.store.FileSystemStore;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged repositories and hostile input: clear errors, non-zero exits, nothing committed lost. */
class CliDamageTest {
  @TempDir Path tmp;

  Cli repoWithTwoSnapshots() throws Exception {
    Cli cli = new Cli(tmp);
    Path src = Files.createDirectories(tmp.resolve("src"));
    byte[] b = new byte[2 << 20];
    new Random(1).nextBytes(b);
    Files.write(src.resolve("one.bin"), b);
    assertThat(cli.run("init").exit()).isZero();
    assertThat(cli.run("backup", src.toString()).exit()).isZero();
    new Random(2).nextBytes(b);
    Files.write(src.resolve("two.bin"), b);
    assertThat(cli.run("backup", src.toString()).exit()).isZero();
    return cli;
  }

  static Map<String, String> manifest(Path repo) throws Exception {
    Map<String, String> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(repo)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        m.put(repo.relativize(p).toString(), HexFormat.of().formatHex(
            MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
      }
    }
    return m;
  }

  static Path aDataPack(Path repo) throws Exception {
    try (Stream<Path> s = Files.walk(repo.resolve("data"))) {
      return s.filter(Files::isRegularFile).filter(p -> {
        try {
          return PackFormat.parse(Files.readAllBytes(p), "x").getFirst().type() == io.cairn.format.BlobType.DATA;
        } catch (Exception e) {
          return false;
        }
      }).findFirst().orElseThrow();
    }
  }

  void assertFailsNamingPackAndChangesNothing(Cli cli, Path pack, String... expected) throws Exception {
    Map<String, String> before = manifest(cli.repo);
    Cli.Result r = cli.run("restore", "latest", "--target", tmp.resolve("out").toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.ERROR);
    assertThat(r.err()).contains(pack.getFileName().toString());
    for (String e : expected) {
      assertThat(r.err()).containsIgnoringCase(e);
    }
    assertThat(manifest(cli.repo)).isEqualTo(before);
    // Everything else still lists.
    assertThat(cli.run("snapshots").exit()).isZero();
    // check finds the damage and names the pack, with and without the key.
    Cli.Result check = cli.run("check", "--read-data");
    assertThat(check.exit()).isEqualTo(ExitCodes.ERROR);
    assertThat(check.err()).contains(pack.getFileName().toString().substring(0, 16));
    Cli.Result keyless = cli.run("check", "--no-key", "--read-data");
    assertThat(keyless.exit()).isEqualTo(ExitCodes.ERROR);
    assertThat(keyless.err()).contains(pack.getFileName().toString().substring(0, 16));
    assertThat(manifest(cli.repo)).isEqualTo(before);
  }

  @Test
  void cleanRepositoryChecksCleanWithAndWithoutTheKey() throws Exception {
    Cli cli = repoWithTwoSnapshots();
    Cli.Result r = cli.run("check", "--read-data");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("no errors were found").contains("2 snapshots");
    Path wrong = tmp.resolve("wrong-password");
    Files.writeString(wrong, "wrong\n");
    Cli.Result keyless = cli.run("--password-file", wrong.toString(), "check", "--no-key", "--read-data");
    assertThat(keyless.exit()).as(keyless.err()).isZero();
    assertThat(cli.run("--password-file", wrong.toString(), "check").exit()).isEqualTo(ExitCodes.WRONG_PASSWORD);
  }

  @Test
  void bitFlippedPackIsNamedAndNothingIsDamaged() throws Exception {
    Cli cli = repoWithTwoSnapshots();
    Path pack = aDataPack(cli.repo);
    try (RandomAccessFile f = new RandomAccessFile(pack.toFile(), "rw")) {
      f.seek(100);
      int v = f.read();
      f.seek(100);
      f.write(v ^ 0x10);
    }
    assertFailsNamingPackAndChangesNothing(cli, pack, "authentication failed");
  }

  @Test
  void truncatedPackIsNamed() throws Exception {
    Cli cli = repoWithTwoSnapshots();
    Path pack = aDataPack(cli.repo);
    try (RandomAccessFile f = new RandomAccessFile(pack.toFile(), "rw")) {
      f.setLength(f.length() / 3);
    }
    assertFailsNamingPackAndChangesNothing(cli, pack, "truncated");
  }

  @Test
  void missingPackIsNamed() throws Exception {
    Cli cli = repoWithTwoSnapshots();
    Path pack = aDataPack(cli.repo);
    Files.delete(pack);
    assertFailsNamingPackAndChangesNothing(cli, pack, "missing");
  }

  @Test
  void treeEntriesThatWouldEscapeTheTargetAreRefused() throws Exception {
    Cli cli = new Cli(tmp);
    assertThat(cli.run("init").exit()).isZero();
    for (String evil : List.of("..", "../../etc/cron.d/x", "/etc/passwd", ".")) {
      Id snap;
      try (Repository repo = Repository.open(new FileSystemStore(cli.repo), "test password".toCharArray(),
          RepositoryOptions.defaults(cli.cache))) {
        try (WriteSession s = repo.newSession()) {
          Id tree = s.saveTree(hostileTree(evil));
          SnapshotSummary sum = new SnapshotSummary(1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
          snap = s.commitSnapshot(new SnapshotEnvelope(Instant.now(), "evil", List.of(), null, "x", null, false,
              "evil", sum), new SnapshotContent(List.of("/"), tree, "evil", List.of()), List.of(tree));
        }
      }
      Path target = Files.createDirectories(tmp.resolve("target-" + evil.length()).resolve("inner"));
      Cli.Result r = cli.run("restore", snap.hex(), "--target", target.toString());
      assertThat(r.exit()).as(evil).isEqualTo(ExitCodes.ERROR);
      assertThat(r.err()).as(evil).containsAnyOf("would escape", "containing '/'");
      try (Stream<Path> s = Files.list(target.getParent())) {
        assertThat(s.toList()).as("nothing written beside the target").containsExactly(target);
      }
      try (Stream<Path> s = Files.list(target)) {
        assertThat(s.toList()).isEmpty();
      }
    }
  }

  /** A tree blob with one file whose name is {@code name}, encoded by hand (the encoder refuses). */
  static byte[] hostileTree(String name) {
    ByteWriter w = new ByteWriter();
    w.u8(1).varint(1);
    w.u8(1).lengthPrefixed(name.getBytes()).varint(0644).varint(0).varint(0).string("").string("");
    for (int i = 0; i < 3; i++) {
      w.i64(0).u32(0);
    }
    w.i64(1).i64(1).varint(1).i64(0).varint(0).varint(0).varint(0);
    return w.toByteArray();
  }

  @Test
  void fullDiskFailsCleanlyAndKeepsEarlierSnapshots() throws Exception {
    Path mount = Files.createDirectories(tmp.resolve("small-disk"));
    Process m = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", mount.toString())
        .redirectErrorStream(true).start();
    boolean mounted = m.waitFor() == 0;
    org.junit.jupiter.api.Assumptions.assumeTrue(mounted, "mounting a small tmpfs needs root; "
        + "the fault-injection variant in cairn-agent covers the same path");
    try {
      Cli cli = new Cli(tmp);
      Path repo = mount.resolve("repo");
      Path src = Files.createDirectories(tmp.resolve("src-small"));
      Files.writeString(src.resolve("keep.txt"), "precious\n");
      Cli.Result init = cli.runAt(repo, "init");
      assertThat(init.exit()).as(init.err()).isZero();
      assertThat(cli.runAt(repo, "backup", src.toString()).exit()).isZero();
      Path big = Files.createDirectories(tmp.resolve("src-big"));
      byte[] b = new byte[4 << 20];
      Random rnd = new Random(3);
      for (int i = 0; i < 6; i++) {
        rnd.nextBytes(b);
        Files.write(big.resolve("f" + i), b);
      }
      Cli.Result full = cli.runAt(repo, "backup", big.toString());
      assertThat(full.exit()).isEqualTo(ExitCodes.ERROR);
      assertThat(full.err()).contains("disk is full");
      // No half-written object is visible; the earlier snapshot restores.
      assertThat(repo.resolve(".tmp")).satisfiesAnyOf(p -> assertThat(p).doesNotExist(),
          p -> assertThat(Files.list(p)).isEmpty());
      try (Stream<Path> s = Files.walk(repo.resolve("data"))) {
        for (Path p : s.filter(Files::isRegularFile).toList()) {
          byte[] data = Files.readAllBytes(p);
          PackFormat.parse(data, p.toString());
          assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)))
              .isEqualTo(p.getFileName().toString());
        }
      }
      Cli.Result snaps = cli.runAt(repo, "--json", "snapshots");
      assertThat(CliEndToEndTest.json(snaps.out())).hasSize(1);
      Cli.Result r = cli.runAt(repo, "restore", "latest:" + src, "--target", tmp.resolve("back").toString());
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(Files.readString(tmp.resolve("back/keep.txt"))).isEqualTo("precious\n");
    } finally {
      new ProcessBuilder("umount", mount.toString()).start().waitFor();
    }
  }
}
