package io.cairn.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.format.Node;
import io.cairn.format.NodeKind;
import io.cairn.repository.Repository;
import io.cairn.repository.Snapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoundTripTest {
  static final boolean ROOT = Posix.isRoot();

  @TempDir static Path tmp;
  static Path src;

  @BeforeAll
  static void fixture() throws Exception {
    src = tmp.resolve("src");
    Fixtures.everyKind(src, ROOT);
  }

  @Test
  void everyKindOfEntryRoundTripsBitForBit() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("t1"));
    try (Repository repo = TestRepos.create(dir)) {
      BackupResult r = TestRepos.backup(repo, null, src);
      assertThat(r.errors()).isEmpty();
      assertThat(r.partial()).isFalse();
      Snapshot s = repo.loadSnapshot(r.snapshot());
      Path out = dir.resolve("out");
      RestoreResult rr = TestRepos.restore(repo, s, src.toString(), out, true);
      assertThat(rr.errors()).isEmpty();
      assertThat(rr.verifiedFiles()).isGreaterThan(5);
      TreeComparison.assertSameTree(src, out, ROOT);
      // Sparse files come back sparse: the 64 MiB image holds 1 MiB of data.
      assertThat(TreeComparison.allocatedBytes(out.resolve("sparse.img"))).isLessThan(8L << 20);
      assertThat(Files.size(out.resolve("sparse.img"))).isEqualTo(64L << 20);
    }
  }

  @Test
  void identicalFilesInDifferentFoldersAreStoredOnce() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("t2"));
    Path data = Files.createDirectories(dir.resolve("data"));
    byte[] same = Fixtures.random(42, 4 << 20);
    Files.createDirectories(data.resolve("x/y"));
    Files.createDirectories(data.resolve("z"));
    Files.write(data.resolve("x/y/copy1.bin"), same);
    Files.write(data.resolve("z/copy2.bin"), same);
    Files.write(data.resolve("copy3.bin"), same);
    try (Repository repo = TestRepos.create(dir)) {
      BackupResult r = TestRepos.backup(repo, null, data);
      assertThat(r.summary().logicalBytes()).isEqualTo(3L * same.length);
      // One copy of the data plus a few small trees.
      assertThat(r.summary().newLogicalBytes()).isBetween((long) same.length, same.length + 64L * 1024);
      Snapshot s = repo.loadSnapshot(r.snapshot());
      List<Node> root = repo.loadTree(s.content().tree());
      Node c3 = find(repo, root, data.toString() + "/copy3.bin");
      Node c2 = find(repo, root, data.toString() + "/z/copy2.bin");
      assertThat(c3.content()).isEqualTo(c2.content()).hasSizeGreaterThan(1);
    }
  }

  @Test
  void unchangedFilesAreNotReadAgainAndChangesAreFound() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("t3"));
    Path data = Files.createDirectories(dir.resolve("data"));
    for (int i = 0; i < 20; i++) {
      Files.write(data.resolve("f" + i), Fixtures.random(i, 10_000 + i));
    }
    try (Repository repo = TestRepos.create(dir)) {
      BackupResult first = TestRepos.backup(repo, null, data);
      assertThat(first.summary().newFiles()).isEqualTo(20);
      Snapshot parent = repo.loadSnapshot(first.snapshot());
      BackupResult second = TestRepos.backup(repo, parent, data);
      assertThat(second.summary().unchangedFiles()).isEqualTo(20);
      // The data directory's tree is identical; only the trees of its ancestors (whose mtimes
      // other tests touch) may be new, and no file data is.
      Node d1 = find(repo, repo.loadTree(parent.content().tree()), data.toString());
      Node d2 = find(repo, repo.loadTree(repo.loadSnapshot(second.snapshot()).content().tree()), data.toString());
      assertThat(d2.subtree()).isEqualTo(d1.subtree());
      assertThat(second.summary().newLogicalBytes()).isLessThan(4096);
      Files.write(data.resolve("f3"), Fixtures.random(99, 5000));
      Files.write(data.resolve("new"), Fixtures.random(100, 5000));
      BackupResult third = TestRepos.backup(repo, repo.loadSnapshot(second.snapshot()), data);
      assertThat(third.summary().changedFiles()).isEqualTo(1);
      assertThat(third.summary().newFiles()).isEqualTo(1);
      assertThat(third.summary().unchangedFiles()).isEqualTo(19);
      Path out = dir.resolve("out");
      TestRepos.restore(repo, repo.loadSnapshot(third.snapshot()), data.toString(), out, true);
      TreeComparison.assertSameTree(data, out, ROOT);
    }
  }

  @Test
  void streamBackupDedupesAcrossDays() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("t4"));
    byte[] day1 = Fixtures.random(7, 12 << 20);
    byte[] day2 = day1.clone();
    System.arraycopy(Fixtures.random(8, 4096), 0, day2, 6 << 20, 4096);
    try (Repository repo = TestRepos.create(dir)) {
      BackupRequest req = new BackupRequest(List.of(), List.of(), false, List.of(), "h", null, 0, null, 0);
      BackupResult a = new Backup(repo, req, new Progress()).runStream("dump.sql",
          new java.io.ByteArrayInputStream(day1), () -> null);
      BackupResult b = new Backup(repo, req, new Progress()).runStream("dump.sql",
          new java.io.ByteArrayInputStream(day2), () -> null);
      assertThat(a.summary().newLogicalBytes()).isGreaterThanOrEqualTo(day1.length);
      // Only the chunk around the edit is new: at most two maximum chunks.
      assertThat(b.summary().newLogicalBytes()).isLessThan(day2.length / 3);
      Path out = dir.resolve("out");
      TestRepos.restore(repo, repo.loadSnapshot(b.snapshot()), "/", out, true);
      assertThat(Files.readAllBytes(out.resolve("dump.sql"))).isEqualTo(day2);
    }
  }

  static Node find(Repository repo, List<Node> root, String path) {
    List<Node> nodes = root;
    Node found = null;
    for (String c : path.split("/")) {
      if (c.isEmpty()) {
        continue;
      }
      if (found != null) {
        assertThat(found.kind()).isEqualTo(NodeKind.DIRECTORY);
        nodes = repo.loadTree(found.subtree());
      }
      found = nodes.stream().filter(n -> n.displayName().equals(c)).findFirst().orElseThrow();
    }
    return found;
  }
}
