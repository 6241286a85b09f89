package io.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cairn.format.BlobType;
import io.cairn.format.PackEntry;
import io.cairn.format.PackFormat;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepairTest {
  @TempDir Path tmp;
  Path src;
  byte[][] files = new byte[6][];

  Cli smallPacks() throws Exception {
    Cli cli = new Cli(tmp);
    src = Files.createDirectories(tmp.resolve("src"));
    Random r = new Random(8);
    for (int i = 0; i < files.length; i++) {
      files[i] = new byte[900_000];
      r.nextBytes(files[i]);
      Files.write(src.resolve("f" + i), files[i]);
    }
    assertThat(cli.run("init", "--chunk-min", "64KiB", "--chunk-avg", "128KiB", "--chunk-max", "512KiB",
        "--pack-size", "1MiB").exit()).isZero();
    assertThat(cli.run("backup", src.toString()).exit()).isZero();
    return cli;
  }

  List<Path> dataPacks(Cli cli) throws Exception {
    try (Stream<Path> s = Files.walk(cli.repo.resolve("data"))) {
      return s.filter(Files::isRegularFile).filter(p -> {
        try {
          return PackFormat.parse(Files.readAllBytes(p), "x").getFirst().type() == BlobType.DATA;
        } catch (Exception e) {
          return false;
        }
      }).sorted().toList();
    }
  }

  void assertSurvivorsRestore(Cli cli, int expectLost) throws Exception {
    Path out = tmp.resolve("out-" + System.nanoTime());
    Cli.Result r = cli.run("restore", "latest:" + src, "--target", out.toString(), "--verify");
    assertThat(r.exit()).as(r.err()).isZero();
    int present = 0;
    for (int i = 0; i < files.length; i++) {
      Path f = out.resolve("f" + i);
      if (Files.exists(f)) {
        assertThat(Files.readAllBytes(f)).isEqualTo(files[i]);
        present++;
      }
    }
    assertThat(files.length - present).isEqualTo(expectLost);
  }

  @Test
  void lostPackOnlyCostsTheFilesThatNeededIt() throws Exception {
    Cli cli = smallPacks();
    List<Path> packs = dataPacks(cli);
    assertThat(packs.size()).isGreaterThan(3);
    Files.delete(packs.get(1));
    assertThat(cli.run("check").exit()).isEqualTo(ExitCodes.ERROR);
    Cli.Result idx = cli.run("repair", "index");
    assertThat(idx.exit()).as(idx.err()).isZero();
    Cli.Result dry = cli.run("--json", "repair", "snapshots", "--dry-run");
    JsonNode report = CliEndToEndTest.json(dry.out());
    assertThat(report.get("snapshots_rewritten").asInt()).isEqualTo(1);
    assertThat(report.get("report").toString()).contains("file lost");
    Cli.Result rep = cli.run("repair", "snapshots", "--forget");
    assertThat(rep.exit()).as(rep.err()).isZero();
    JsonNode snaps = CliEndToEndTest.json(cli.run("--json", "snapshots").out());
    assertThat(snaps).hasSize(1);
    assertThat(snaps.get(0).get("tags").toString()).contains("repaired");
    Cli.Result check = cli.run("check", "--read-data");
    assertThat(check.exit()).as(check.err()).isZero();
    int lostFiles = (int) java.util.stream.StreamSupport.stream(report.get("report").spliterator(), false)
        .filter(n -> n.asText().contains("file lost")).count();
    assertThat(lostFiles).isBetween(1, files.length - 1);
    assertSurvivorsRestore(cli, lostFiles);
  }

  @Test
  void damagedPackIsSalvagedBlobByBlob() throws Exception {
    Cli cli = smallPacks();
    Path pack = dataPacks(cli).get(2);
    List<PackEntry> entries = PackFormat.parse(Files.readAllBytes(pack), "p");
    PackEntry victim = entries.getFirst();
    try (RandomAccessFile f = new RandomAccessFile(pack.toFile(), "rw")) {
      f.seek(victim.offset() + 40);
      int v = f.read();
      f.seek(victim.offset() + 40);
      f.write(v ^ 1);
    }
    Cli.Result salvage = cli.run("--json", "repair", "packs");
    assertThat(salvage.exit()).as(salvage.err()).isZero();
    assertThat(CliEndToEndTest.json(salvage.out()).get("blobs_salvaged").asInt()).isEqualTo(entries.size() - 1);
    assertThat(pack).doesNotExist();
    assertThat(cli.run("repair", "snapshots", "--forget").exit()).isZero();
    Cli.Result check = cli.run("check", "--read-data");
    assertThat(check.exit()).as(check.err()).isZero();
    assertSurvivorsRestore(cli, 1);
  }

  @Test
  void indexIsRebuiltFromPacksWithoutAKey() throws Exception {
    Cli cli = smallPacks();
    try (Stream<Path> s = Files.list(cli.repo.resolve("index"))) {
      for (Path p : s.toList()) {
        Files.delete(p);
      }
    }
    Path noKey = tmp.resolve("no-key");
    Files.writeString(noKey, "wrong\n");
    Cli.Result r = cli.run("--password-file", noKey.toString(), "repair", "index");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(cli.run("check", "--read-data").exit()).isZero();
    assertSurvivorsRestore(cli, 0);
  }
}
