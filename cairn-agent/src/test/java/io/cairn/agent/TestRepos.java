package io.cairn.agent;

import io.cairn.repository.Repository;
import io.cairn.repository.RepositoryOptions;
import io.cairn.repository.Snapshot;
import io.cairn.store.BlobStore;
import io.cairn.store.FileSystemStore;
import java.nio.file.Path;
import java.util.List;

/** Helpers to create repositories and run backups and restores in tests. */
final class TestRepos {
  static final char[] PASSWORD = "correct horse battery staple".toCharArray();

  private TestRepos() {}

  static Repository create(Path dir) {
    return create(new FileSystemStore(dir.resolve("repo")), dir);
  }

  static Repository create(BlobStore store, Path dir) {
    return Repository.init(store, PASSWORD, Repository.InitSettings.DEFAULT,
        RepositoryOptions.defaults(dir.resolve("cache")));
  }

  static Repository open(BlobStore store, Path dir) {
    return Repository.open(store, PASSWORD, RepositoryOptions.defaults(dir.resolve("cache")));
  }

  static BackupResult backup(Repository repo, Snapshot parent, Path... paths) {
    BackupRequest req = new BackupRequest(List.of(paths), List.of(), false, List.of("test"), "testhost",
        parent, 0, null, 0);
    return new Backup(repo, req, new Progress()).run();
  }

  /**
   * Backs up files a and b (3 MiB each, random from {@code seed}) under {@code dir/src}, then a
   * alone, and deletes the first snapshot: b's data is garbage, sharing a pack with a's. Returns
   * the second snapshot, of a alone.
   */
  static io.cairn.format.Id oneFileDropped(BlobStore store, Path dir, long seed) throws java.io.IOException {
    Path src = java.nio.file.Files.createDirectories(dir.resolve("src"));
    java.util.Random r = new java.util.Random(seed);
    for (String name : new String[] {"a", "b"}) {
      byte[] data = new byte[3 << 20];
      r.nextBytes(data);
      java.nio.file.Files.write(src.resolve(name), data);
    }
    Snapshot first;
    try (Repository repo = create(store, dir.resolve("c1"))) {
      first = repo.loadSnapshot(backup(repo, null, src).snapshot());
    }
    java.nio.file.Files.delete(src.resolve("b"));
    io.cairn.format.Id second;
    try (Repository repo = open(store, dir.resolve("c2"))) {
      second = backup(repo, first, src).snapshot();
    }
    store.delete(io.cairn.store.StoreKeys.snapshot(first.id()));
    return second;
  }

  /** The keys of the repository's packs. */
  static java.util.Set<String> packs(BlobStore store) {
    java.util.Set<String> keys = new java.util.HashSet<>();
    for (io.cairn.store.StoreEntry e : store.list(io.cairn.store.StoreKeys.DATA)) {
      keys.add(e.key());
    }
    return keys;
  }

  /** Copies the directory tree {@code from} to {@code to} (a repository, say), files and directories. */
  static void copyTree(Path from, Path to) throws java.io.IOException {
    try (java.util.stream.Stream<Path> s = java.nio.file.Files.walk(from)) {
      for (Path p : s.toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (java.nio.file.Files.isDirectory(p)) {
          java.nio.file.Files.createDirectories(t);
        } else {
          java.nio.file.Files.copy(p, t);
        }
      }
    }
  }

  static RestoreResult restore(Repository repo, Snapshot s, String sub, Path target, boolean verify) {
    return new Restore(repo, new RestoreRequest(s, sub, target, List.of(), false, verify, 0), new Progress()).run();
  }
}
