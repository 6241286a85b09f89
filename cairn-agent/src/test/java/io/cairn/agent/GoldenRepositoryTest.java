package io.cairn.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.format.Id;
import io.cairn.format.IndexSegment;
import io.cairn.format.PackFormat;
import io.cairn.format.SnapshotCodec;
import io.cairn.repository.Repository;
import io.cairn.repository.RepositoryOptions;
import io.cairn.repository.Snapshot;
import io.cairn.store.FileSystemStore;
import io.cairn.store.StoreEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository written by format version 1 (src/test/resources/golden/v1, made by
 * GoldenRepositoryWriter) must open, check and restore bit for bit with every later build.
 */
class GoldenRepositoryTest {
  @TempDir Path tmp;

  Path golden() throws Exception {
    Path src = Path.of(getClass().getResource("/golden/v1/repo/config").toURI()).getParent();
    Path copy = tmp.resolve("repo");
    TestRepos.copyTree(src, copy);
    return copy;
  }

  static String resource(String name) throws Exception {
    return Files.readString(Path.of(GoldenRepositoryTest.class.getResource("/golden/v1/" + name).toURI()));
  }

  @Test
  void everyObjectParsesAndMatchesItsNameWithoutTheKey() throws Exception {
    FileSystemStore store = new FileSystemStore(golden());
    int packs = 0;
    for (StoreEntry e : store.list("data/")) {
      byte[] b = store.get(e.key());
      assertThat(sha256(b)).isEqualTo(e.key().substring(e.key().lastIndexOf('/') + 1));
      assertThat(PackFormat.parse(b, e.key())).isNotEmpty();
      packs++;
    }
    assertThat(packs).isGreaterThanOrEqualTo(2);
    for (StoreEntry e : store.list("index/")) {
      assertThat(IndexSegment.open(store.get(e.key()), e.key()).size()).isPositive();
    }
    List<String> snaps = resource("snapshots.txt").lines().toList();
    for (String s : snaps) {
      SnapshotCodec.Decoded d = SnapshotCodec.decode(store.get("snapshots/" + s), s);
      assertThat(d.envelope().host()).isEqualTo("golden-host");
      assertThat(d.envelope().tags()).containsExactly("golden");
      assertThat(d.refCount()).isPositive();
    }
    assertThat(Repository.readConfig(store).chunkAvg()).isEqualTo(128 << 10);
  }

  @Test
  void restoresBitForBit() throws Exception {
    Path repoDir = golden();
    String source = resource("source-path.txt").strip();
    List<String> snaps = resource("snapshots.txt").lines().toList();
    try (Repository repo = Repository.open(new FileSystemStore(repoDir), GoldenRepositoryWriter.PASSWORD,
        RepositoryOptions.defaults(tmp.resolve("cache")))) {
      List<Snapshot> all = repo.listSnapshots();
      assertThat(all).extracting(s -> s.id().hex()).containsExactlyElementsOf(snaps);
      assertThat(all.get(1).envelope().parent()).isEqualTo(Id.parse(snaps.get(0)));
      Path out = tmp.resolve("out");
      RestoreResult r = TestRepos.restore(repo, all.get(1), source, out, true);
      assertThat(r.errors()).isEmpty();
      Map<String, String> expected = new LinkedHashMap<>();
      for (String line : resource("manifest-latest.txt").lines().toList()) {
        String[] kv = line.split("\t", 2);
        expected.put(kv[0], kv[1]);
      }
      assertThat(TreeComparison.describe(out, false)).containsExactlyInAnyOrderEntriesOf(expected);
      Path first = tmp.resolve("first");
      TestRepos.restore(repo, all.get(0), source + "/docs/nested/deeper/day.txt", first, true);
      assertThat(Files.readString(first.resolve("day.txt"))).isEqualTo("day 1\n");
    }
  }

  /**
   * Version 1 stored each tree once. A session that stores such a tree again (every backup
   * stores the trees of what it backs up) writes its second copy, in a ditto pack, and counts
   * nothing as new.
   */
  @Test
  void theTreesOfAnOlderRepositoryGetTheirSecondCopyWhenAWriterNeedsThem() throws Exception {
    Path repoDir = golden();
    FileSystemStore store = new FileSystemStore(repoDir);
    try (Repository repo = Repository.open(store, GoldenRepositoryWriter.PASSWORD,
        RepositoryOptions.defaults(tmp.resolve("cache")))) {
      List<Id> trees = new java.util.ArrayList<>();
      collectTrees(repo, repo.listSnapshots().get(1).content().tree(), trees);
      assertThat(trees).hasSizeGreaterThan(3);
      for (Id t : trees) {
        assertThat(repo.index().lookupAll(t)).as("stored once by version 1").hasSize(1);
      }
      try (io.cairn.repository.WriteSession s = repo.newSession()) {
        for (Id t : trees) {
          assertThat(s.saveTree(repo.loadBlob(io.cairn.format.BlobType.TREE, t))).isEqualTo(t);
        }
        s.flush();
        assertThat(s.newBlobs()).isZero();
        assertThat(s.packsWritten()).isEqualTo(1);
      }
      repo.refreshIndex();
      for (Id t : trees) {
        List<io.cairn.format.IndexEntry> copies = repo.index().lookupAll(t);
        assertThat(copies).hasSize(2);
        List<Integer> copyNumbers = copies.stream().map(c -> {
          byte[] preamble = store.getRange(io.cairn.store.StoreKeys.pack(c.pack()), 0, PackFormat.PREAMBLE_LENGTH);
          return PackFormat.copy(preamble);
        }).sorted().toList();
        assertThat(copyNumbers).containsExactly(0, PackFormat.DITTO);
      }
      Path out = tmp.resolve("out");
      assertThat(TestRepos.restore(repo, repo.listSnapshots().get(1), resource("source-path.txt").strip(), out, true)
          .errors()).isEmpty();
    }
  }

  static void collectTrees(Repository repo, Id tree, List<Id> into) {
    into.add(tree);
    for (io.cairn.format.Node n : repo.loadTree(tree)) {
      if (n.kind() == io.cairn.format.NodeKind.DIRECTORY && !into.contains(n.subtree())) {
        collectTrees(repo, n.subtree(), into);
      }
    }
  }

  static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }
}
