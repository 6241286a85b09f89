package io.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.format.BlobType;
import io.cairn.format.Id;
import io.cairn.format.Node;
import io.cairn.format.PackEntry;
import io.cairn.format.PackFormat;
import io.cairn.repository.Repository;
import io.cairn.repository.RepositoryOptions;
import io.cairn.store.FileSystemStore;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every tree is stored twice, in two different packs (docs/format.md, "Ditto copies of trees"):
 * a damaged pack of trees costs no file, check says that nothing is lost yet, repair makes the
 * second copies again, and when both copies of a directory's tree are lost, everything else is
 * still restored and the directory is named.
 */
class TreeDittoTest {
  @TempDir Path tmp;
  Path src;
  final Map<String, byte[]> files = new HashMap<>();

  Cli backedUp() throws Exception {
    Cli cli = new Cli(tmp);
    src = Files.createDirectories(tmp.resolve("src"));
    Random r = new Random(12);
    for (int d = 0; d < 30; d++) {
      Path dir = Files.createDirectories(src.resolve(String.format("d%02d", d)));
      for (int f = 0; f < 3; f++) {
        byte[] b = new byte[1_000 + r.nextInt(20_000)];
        r.nextBytes(b);
        Files.write(dir.resolve("f" + f), b);
        files.put(src.relativize(dir.resolve("f" + f)).toString(), b);
      }
    }
    assertThat(cli.run("init").exit()).isZero();
    Cli.Result b = cli.run("backup", src.toString());
    assertThat(b.exit()).as(b.err()).isZero();
    return cli;
  }

  /** Packs of trees by copy number, each with the tree blobs it holds. */
  static Map<Integer, Map<Path, List<PackEntry>>> treePacks(Path repo) throws Exception {
    Map<Integer, Map<Path, List<PackEntry>>> out = new HashMap<>();
    try (Stream<Path> s = Files.walk(repo.resolve("data"))) {
      for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
        byte[] pack = Files.readAllBytes(p);
        List<PackEntry> entries = PackFormat.parse(pack, p.toString());
        if (entries.getFirst().type() == BlobType.TREE) {
          out.computeIfAbsent(PackFormat.copy(pack), k -> new HashMap<>()).put(p, entries);
        }
      }
    }
    return out;
  }

  static List<Id> ids(Map<Path, List<PackEntry>> packs) {
    List<Id> ids = new ArrayList<>();
    packs.values().forEach(l -> l.forEach(e -> ids.add(e.id())));
    ids.sort(null);
    return ids;
  }

  static void flipInBlob(Path pack, PackEntry e) throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(pack.toFile(), "rw")) {
      long at = e.offset() + e.length() / 2;
      f.seek(at);
      int v = f.read();
      f.seek(at);
      f.write(v ^ 0x04);
    }
  }

  /** Restores the snapshot's copy of {@link #src} and returns the files found, checked against the originals. */
  int restoreAndCompare(Cli cli, Cli.Result[] result) throws Exception {
    Path out = tmp.resolve("out-" + System.nanoTime());
    result[0] = cli.run("restore", "latest:" + src, "--target", out.toString());
    int found = 0;
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      Path p = out.resolve(f.getKey());
      if (Files.exists(p)) {
        assertThat(Files.readAllBytes(p)).as(f.getKey()).isEqualTo(f.getValue());
        found++;
      }
    }
    return found;
  }

  @Test
  void everyTreeHasASecondCopyInAnotherPackAndADamagedOneCostsNothing() throws Exception {
    Cli cli = backedUp();
    Map<Integer, Map<Path, List<PackEntry>>> packs = treePacks(cli.repo);
    assertThat(packs).containsOnlyKeys(0, PackFormat.DITTO);
    List<Id> first = ids(packs.get(0));
    assertThat(first).hasSizeGreaterThan(30).doesNotHaveDuplicates();
    assertThat(ids(packs.get(PackFormat.DITTO))).isEqualTo(first);
    assertThat(packs.get(0).keySet()).doesNotContainAnyElementsOf(packs.get(PackFormat.DITTO).keySet());

    // Of every tree, the copy readers find first is damaged: a bit flipped in it.
    Map<Path, List<PackEntry>> firstFound = new HashMap<>();
    try (Repository repo = open(cli)) {
      for (Id id : first) {
        Path pack = cli.repo.resolve(io.cairn.store.StoreKeys.pack(repo.index().lookup(id).pack()));
        PackEntry e = PackFormat.parse(Files.readAllBytes(pack), "p").stream().filter(x -> x.id().equals(id))
            .findFirst().orElseThrow();
        firstFound.computeIfAbsent(pack, k -> new ArrayList<>()).add(e);
      }
    }
    for (Map.Entry<Path, List<PackEntry>> p : firstFound.entrySet()) {
      for (PackEntry e : p.getValue()) {
        flipInBlob(p.getKey(), e);
      }
    }
    Cli.Result[] r = new Cli.Result[1];
    assertThat(restoreAndCompare(cli, r)).isEqualTo(files.size());
    assertThat(r[0].exit()).as(r[0].err()).isZero();
    assertThat(r[0].err()).contains("came from their other copy").contains("cairn repair packs");
    for (Path damaged : firstFound.keySet()) {
      assertThat(r[0].err()).contains(damaged.getFileName().toString());
    }

    for (String[] check : new String[][] {{"check", "--read-data"}, {"check", "--no-key", "--read-data"}}) {
      Cli.Result c = cli.run(check);
      assertThat(c.exit()).as(String.join(" ", check)).isEqualTo(ExitCodes.ERROR);
      assertThat(c.err()).contains("have an intact copy in another pack, so nothing is lost yet");
    }

    Cli.Result dry = cli.run("repair", "packs", "--dry-run");
    assertThat(dry.exit()).as(dry.err()).isZero();
    assertThat(treePacks(cli.repo)).isEqualTo(packs);
    Cli.Result repair = cli.run("repair", "packs");
    assertThat(repair.exit()).as(repair.err()).isZero();
    assertThat(repair.out() + repair.err()).contains("from their intact ditto copies");
    Cli.Result clean = cli.run("check", "--read-data");
    assertThat(clean.exit()).as(clean.err()).isZero();
    // Two copies of every tree again, in two different packs.
    Map<Integer, Map<Path, List<PackEntry>>> after = treePacks(cli.repo);
    List<Id> all = new ArrayList<>();
    after.values().forEach(m -> all.addAll(ids(m)));
    all.sort(null);
    List<Id> twice = new ArrayList<>();
    first.forEach(id -> twice.addAll(List.of(id, id)));
    assertThat(all).isEqualTo(twice);
    assertThat(restoreAndCompare(cli, r)).isEqualTo(files.size());
    assertThat(r[0].err()).doesNotContain("warning");
  }

  @Test
  void whenBothCopiesOfADirectoryAreLostEverythingElseIsRestoredAndTheDirectoryNamed() throws Exception {
    Cli cli = backedUp();
    Id victim;
    try (Repository repo = open(cli)) {
      Id tree = repo.listSnapshots().getFirst().content().tree();
      for (Path part : src) {
        tree = child(repo.loadTree(tree), part.toString()).subtree();
      }
      victim = child(repo.loadTree(tree), "d07").subtree();
    }
    int damaged = 0;
    for (Map<Path, List<PackEntry>> copies : treePacks(cli.repo).values()) {
      for (Map.Entry<Path, List<PackEntry>> p : copies.entrySet()) {
        for (PackEntry e : p.getValue()) {
          if (e.id().equals(victim)) {
            flipInBlob(p.getKey(), e);
            damaged++;
          }
        }
      }
    }
    assertThat(damaged).isEqualTo(2);
    Cli.Result[] r = new Cli.Result[1];
    assertThat(restoreAndCompare(cli, r)).isEqualTo(files.size() - 3);
    assertThat(r[0].exit()).isEqualTo(ExitCodes.ERROR);
    assertThat(r[0].err()).contains("d07: directory created empty, its contents could not be restored")
        .contains("1 entries could not be restored");

    // Repair cannot bring the directory back, and says so; the snapshot is rewritten without it.
    Cli.Result repair = cli.run("repair", "packs");
    assertThat(repair.exit()).as(repair.err()).isZero();
    assertThat(repair.out() + repair.err()).contains("tree blob " + victim.shortHex() + " is lost");
    Cli.Result snaps = cli.run("repair", "snapshots", "--forget");
    assertThat(snaps.exit()).as(snaps.err()).isZero();
    Cli.Result clean = cli.run("check", "--read-data");
    assertThat(clean.exit()).as(clean.err()).isZero();
    assertThat(restoreAndCompare(cli, r)).isEqualTo(files.size() - 3);
    assertThat(r[0].exit()).as(r[0].err()).isZero();
  }

  @Test
  void aPruneThatRepacksTreesKeepsBothCopiesInDifferentPacks() throws Exception {
    Cli cli = backedUp();
    // A second snapshot with a third of the directories changed, then the first forgotten: the
    // tree packs hold garbage (the old trees) next to live trees, and are repacked.
    for (int d = 0; d < 30; d += 3) {
      Files.writeString(src.resolve(String.format("d%02d", d)).resolve("f0"), "changed " + d);
      files.put(String.format("d%02d/f0", d), ("changed " + d).getBytes());
    }
    assertThat(cli.run("backup", src.toString()).exit()).isZero();
    assertThat(cli.run("forget", "--keep-last", "1").exit()).isZero();
    Map<Integer, Map<Path, List<PackEntry>>> before = treePacks(cli.repo);
    for (int i = 0; i < 2; i++) {
      Cli.Result p = cli.run("prune", "--grace", "0", "--fence-margin", "0", "--repack-threshold", "1");
      assertThat(p.exit()).as(p.err()).isZero();
    }
    Map<Integer, Map<Path, List<PackEntry>>> after = treePacks(cli.repo);
    for (int copy : new int[] {0, PackFormat.DITTO}) {
      // The first backup's tree pack of each copy held the forgotten trees: it was repacked.
      assertThat(before.get(copy).keySet()).as("copy " + copy).isNotEmpty()
          .anyMatch(p -> !after.get(copy).containsKey(p));
    }
    List<Id> live = ids(after.get(0));
    assertThat(live).doesNotHaveDuplicates().hasSizeLessThan(ids(before.get(0)).size());
    assertThat(ids(after.get(PackFormat.DITTO))).isEqualTo(live);
    Cli.Result check = cli.run("check", "--read-data");
    assertThat(check.exit()).as(check.err()).isZero();
    // Either copy alone restores everything.
    for (int copy : new int[] {0, PackFormat.DITTO}) {
      Path saved = tmp.resolve("saved-" + copy);
      Files.createDirectories(saved);
      for (Path pack : after.get(copy).keySet()) {
        Files.move(pack, saved.resolve(pack.getFileName()));
      }
      Cli.Result[] r = new Cli.Result[1];
      assertThat(restoreAndCompare(cli, r)).as("restored without copy " + copy).isEqualTo(files.size());
      assertThat(r[0].exit()).as(r[0].err()).isZero();
      for (Path pack : after.get(copy).keySet()) {
        Files.move(saved.resolve(pack.getFileName()), pack);
      }
    }
  }

  Repository open(Cli cli) {
    return Repository.open(new FileSystemStore(cli.repo), "test password".toCharArray(),
        RepositoryOptions.defaults(tmp.resolve("test-cache-" + System.nanoTime())));
  }

  static Node child(List<Node> nodes, String name) {
    return nodes.stream().filter(n -> n.displayName().equals(name)).findFirst().orElseThrow();
  }
}
