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

  static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }
}
