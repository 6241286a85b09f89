package io.cairn.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.format.Id;
import io.cairn.format.Node;
import io.cairn.format.NodeKind;
import io.cairn.repository.Repository;
import io.cairn.repository.Snapshot;
import io.cairn.store.StoreKeys;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Restore's scheduling and the shortcuts it takes in a fresh target. */
class RestoreTest {
  @TempDir Path tmp;

  private static Node file(String name) {
    return new Node(NodeKind.FILE, name.getBytes(), 0644, 0, 0, "", "", 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0,
        List.of(), List.of(), null, null);
  }

  @Test
  void batchesHoldOneDirectoryEachAndEveryEntryOnceInItsOrder() {
    List<Restore.Item> entries = new ArrayList<>();
    Map<String, Integer> sizes = Map.of("big", 1000, "mid", 70, "one", 1, "two", 2);
    for (int round = 0; round < 1000; round++) {
      for (var e : sizes.entrySet()) {
        if (round < e.getValue()) {
          Path p = Path.of("/t", e.getKey(), "f" + round);
          entries.add(new Restore.Item(p, Path.of(e.getKey(), "f" + round), file("f" + round), 2));
        }
      }
    }
    List<Restore.Batch> batches = Restore.batches(entries);
    Set<Restore.Item> seen = new HashSet<>();
    Map<Path, Integer> lastIndex = new HashMap<>();
    Map<Path, Object> lockOf = new HashMap<>();
    for (Restore.Batch b : batches) {
      assertThat(b.items()).isNotEmpty().hasSizeLessThanOrEqualTo(Restore.BATCH);
      Path dir = b.items().getFirst().path().getParent();
      assertThat(b.items()).allMatch(i -> i.path().getParent().equals(dir));
      assertThat(lockOf.computeIfAbsent(dir, d -> b.dirLock())).isSameAs(b.dirLock());
      for (Restore.Item i : b.items()) {
        assertThat(seen.add(i)).isTrue();
        int idx = Integer.parseInt(i.path().getFileName().toString().substring(1));
        // Within a directory, entries keep the plan's order.
        assertThat(idx).isGreaterThan(lastIndex.getOrDefault(dir, -1));
        lastIndex.put(dir, idx);
      }
    }
    assertThat(seen).hasSize(entries.size());
    // The big directory's batches are spread out: it does not take the whole end of the queue.
    int half = batches.size() / 2;
    long bigInSecondHalf = batches.subList(half, batches.size()).stream()
        .filter(b -> b.items().getFirst().path().getParent().endsWith("big")).count();
    assertThat(bigInSecondHalf).isLessThan(batches.size() - half);
    assertThat(Restore.batches(List.of())).isEmpty();
  }

  @Test
  void modesAndOwnersComeBackInFreshAndInUsedTargets() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Map<String, Integer> modes = new java.util.LinkedHashMap<>();
    modes.put("private", 0600);
    modes.put("plain", 0644);
    modes.put("world-writable", 0666);
    modes.put("read-only", 0444);
    modes.put("exec", 0755);
    modes.put("setuid", 04755);
    modes.put("setgid", 02755);
    modes.put("none", 0);
    for (var e : modes.entrySet()) {
      Path p = src.resolve(e.getKey());
      Files.write(p, Fixtures.random(e.getValue(), 1000 + e.getValue()));
      Posix.chmod(p, e.getValue());
    }
    Path sub = Files.createDirectories(src.resolve("sub"));
    Files.writeString(sub.resolve("inner"), "inner");
    Files.createSymbolicLink(src.resolve("link"), Path.of("plain"));
    Posix.chmod(sub, 0750);
    try (Repository repo = TestRepos.create(tmp.resolve("r"))) {
      BackupResult r = TestRepos.backup(repo, null, src);
      Snapshot s = repo.loadSnapshot(r.snapshot());
      Path fresh = tmp.resolve("fresh");
      assertThat(TestRepos.restore(repo, s, src.toString(), fresh, true).errors()).isEmpty();
      TreeComparison.assertSameTree(src, fresh, Posix.isRoot());
      // A used target: entries in the way are replaced, ownership and modes still set.
      Path used = Files.createDirectories(tmp.resolve("used"));
      Files.writeString(used.resolve("plain"), "old content that is longer than the new one, much longer");
      Posix.chmod(used.resolve("plain"), 0777);
      Files.writeString(used.resolve("stray"), "stays");
      assertThat(TestRepos.restore(repo, s, src.toString(), used, true).errors()).isEmpty();
      Files.delete(used.resolve("stray"));
      TreeComparison.assertSameTree(src, used, Posix.isRoot());
      for (var e : modes.entrySet()) {
        int mode = (Integer) Files.getAttribute(fresh.resolve(e.getKey()), "unix:mode", LinkOption.NOFOLLOW_LINKS);
        assertThat(mode & 07777).as(e.getKey()).isEqualTo(e.getValue());
      }
    }
  }

  @Test
  void sharedAndRepeatedChunksAndTrailingHolesRestore() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    byte[] block = Fixtures.random(7, 3 << 20);
    byte[] twice = new byte[2 * block.length];
    System.arraycopy(block, 0, twice, 0, block.length);
    System.arraycopy(block, 0, twice, block.length, block.length);
    Files.write(src.resolve("twice.bin"), twice);
    Files.write(src.resolve("once.bin"), block);
    Files.createDirectories(src.resolve("d"));
    Files.write(src.resolve("d/again.bin"), block);
    // Data, then a hole to the end: the length must come back without writing the zeros.
    byte[] tail = new byte[4 << 20];
    System.arraycopy(block, 0, tail, 0, 5000);
    Files.write(src.resolve("trailing-hole.bin"), tail);
    try (Repository repo = TestRepos.create(tmp.resolve("r"))) {
      BackupResult r = TestRepos.backup(repo, null, src);
      Snapshot s = repo.loadSnapshot(r.snapshot());
      List<Id> chunks = new ArrayList<>();
      collectChunks(repo, repo.loadTree(s.content().tree()), chunks);
      assertThat(new HashSet<>(chunks).size()).as("some chunk is used more than once").isLessThan(chunks.size());
      Path out = tmp.resolve("out");
      RestoreResult rr = TestRepos.restore(repo, s, src.toString(), out, true);
      assertThat(rr.errors()).isEmpty();
      TreeComparison.assertSameTree(src, out, Posix.isRoot());
      assertThat(Files.size(out.resolve("trailing-hole.bin"))).isEqualTo(tail.length);
      assertThat(TreeComparison.allocatedBytes(out.resolve("trailing-hole.bin"))).isLessThan(1L << 20);
    }
  }

  private static void collectChunks(Repository repo, List<Node> nodes, List<Id> out) {
    for (Node n : nodes) {
      if (n.kind() == NodeKind.DIRECTORY) {
        collectChunks(repo, repo.loadTree(n.subtree()), out);
      } else if (n.kind() == NodeKind.FILE) {
        out.addAll(n.content());
      }
    }
  }

  @Test
  void aMissingPackFailsOnlyTheFilesThatNeedItWithAClearMessage() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    for (int i = 0; i < 20; i++) {
      Files.writeString(src.resolve("small" + i + ".txt"), "small file " + i);
    }
    try (Repository repo = TestRepos.create(tmp.resolve("r"))) {
      TestRepos.backup(repo, null, src);
      Files.write(src.resolve("late.bin"), Fixtures.random(99, 2 << 20));
      BackupResult r = TestRepos.backup(repo, repo.listSnapshots().getLast(), src);
      Snapshot s = repo.loadSnapshot(r.snapshot());
      Node late = findFile(repo, repo.loadTree(s.content().tree()), "late.bin");
      Id pack = repo.locate(late.content().getFirst()).orElseThrow().pack();
      Node small = findFile(repo, repo.loadTree(s.content().tree()), "small0.txt");
      assertThat(repo.locate(small.content().getFirst()).orElseThrow().pack()).isNotEqualTo(pack);
      assertThat(repo.store().delete(StoreKeys.pack(pack))).isTrue();
      Path out = tmp.resolve("out");
      RestoreResult rr = TestRepos.restore(repo, s, src.toString(), out, false);
      assertThat(rr.errors()).hasSize(1);
      assertThat(rr.errors().getFirst()).contains("late.bin").contains("missing");
      for (int i = 0; i < 20; i++) {
        assertThat(Files.readString(out.resolve("small" + i + ".txt"))).isEqualTo("small file " + i);
      }
    }
  }

  private static Node findFile(Repository repo, List<Node> nodes, String name) {
    for (Node n : nodes) {
      if (n.kind() == NodeKind.DIRECTORY) {
        Node f = findFile(repo, repo.loadTree(n.subtree()), name);
        if (f != null) {
          return f;
        }
      } else if (n.displayName().equals(name)) {
        return n;
      }
    }
    return null;
  }
}
