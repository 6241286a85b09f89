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
