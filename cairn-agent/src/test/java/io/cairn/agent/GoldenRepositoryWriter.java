package io.cairn.agent;

import io.cairn.repository.Repository;
import io.cairn.repository.RepositoryOptions;
import io.cairn.store.FileSystemStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Writes the golden repository of a format version (run by hand once per version, never by the
 * test suite): {@code java -cp <test class path> io.cairn.agent.GoldenRepositoryWriter DIR}.
 * The result is checked in under src/test/resources/golden/vN and read by GoldenRepositoryTest
 * with every later build.
 */
public final class GoldenRepositoryWriter {
  static final char[] PASSWORD = "golden-v1".toCharArray();

  private GoldenRepositoryWriter() {}

  static void sourceTree(Path root, int day) throws Exception {
    Files.createDirectories(root.resolve("docs/nested/deeper"));
    Files.createDirectories(root.resolve("empty-dir"));
    Files.writeString(root.resolve("docs/readme.txt"), "Golden repository, format version 1.\n");
    Files.writeString(root.resolve("docs/nested/deeper/day.txt"), "day " + day + "\n");
    byte[] data = new byte[700_000];
    new Random(11).nextBytes(data);
    Files.write(root.resolve("random.bin"), data);
    Files.write(root.resolve("docs/nested/random-copy.bin"), data);
    Files.write(RawPaths.resolve(root, Fixtures.BAD_UTF8_NAME), "latin-1 name".getBytes());
    if (!Files.exists(root.resolve("link"), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      Files.createSymbolicLink(root.resolve("link"), Path.of("docs/readme.txt"));
    }
    Files.setAttribute(root.resolve("random.bin"), "unix:mode", 0600);
    long t = 1_700_000_000L;
    try (var s = Files.walk(root)) {
      for (Path p : s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        Posix.setTimes(p, t, 123_456_789, t, 123_456_789);
        t += 17;
      }
    }
  }

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args[0]);
    Path src = out.resolve("source");
    Path repoDir = out.resolve("repo");
    sourceTree(src, 1);
    try (Repository repo = Repository.init(new FileSystemStore(repoDir), PASSWORD,
        new Repository.InitSettings(64 << 10, 128 << 10, 512 << 10, 1 << 20),
        RepositoryOptions.defaults(out.resolve("cache")))) {
      BackupRequest r1 = new BackupRequest(List.of(src), List.of(), false, List.of("golden"), "golden-host", null, 0, null, 1);
      BackupResult b1 = new Backup(repo, r1, new Progress()).run();
      sourceTree(src, 2);
      BackupRequest r2 = new BackupRequest(List.of(src), List.of(), false, List.of("golden"), "golden-host",
          repo.loadSnapshot(b1.snapshot()), 0, null, 1);
      BackupResult b2 = new Backup(repo, r2, new Progress()).run();
      StringBuilder m = new StringBuilder();
      for (Map.Entry<String, String> e : TreeComparison.describe(src, false).entrySet()) {
        m.append(e.getKey()).append('\t').append(e.getValue()).append('\n');
      }
      Files.writeString(out.resolve("manifest-latest.txt"), m.toString());
      Files.writeString(out.resolve("snapshots.txt"), b1.snapshot().hex() + "\n" + b2.snapshot().hex() + "\n");
      Files.writeString(out.resolve("source-path.txt"), src.toString() + "\n");
    }
  }
}
