package io.cairn.repository;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.format.BlobType;
import io.cairn.format.Id;
import io.cairn.store.BlobStore;
import io.cairn.store.FileSystemStore;
import io.cairn.store.ForwardingStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Trees of a remote repository are read from local copies of their packs after the first read. */
class TreePackCacheTest {
  @TempDir Path tmp;

  /** A directory that says it is remote, counting the reads that reach it. */
  static final class Remote extends ForwardingStore {
    final AtomicInteger reads = new AtomicInteger();
    final boolean remote;

    Remote(BlobStore inner, boolean remote) {
      super(inner);
      this.remote = remote;
    }

    @Override
    public byte[] get(String key) {
      reads.incrementAndGet();
      return super.get(key);
    }

    @Override
    public byte[] getRange(String key, long offset, int length) {
      reads.incrementAndGet();
      return super.getRange(key, offset, length);
    }

    @Override
    public void readRange(String key, long offset, java.nio.ByteBuffer dst) {
      reads.incrementAndGet();
      super.readRange(key, offset, dst);
    }

    @Override
    public boolean remote() {
      return remote;
    }
  }

  private final List<byte[]> trees = new ArrayList<>();
  private final List<Id> ids = new ArrayList<>();

  private Remote repository(boolean remote) {
    Remote store = new Remote(new FileSystemStore(tmp.resolve("repo")), remote);
    try (Repository r = Repository.init(store, "pw".toCharArray(), Repository.InitSettings.DEFAULT, options());
        WriteSession s = r.newSession()) {
      Random random = new Random(1);
      for (int i = 0; i < 50; i++) {
        byte[] tree = new byte[2000];
        random.nextBytes(tree);
        trees.add(tree);
        ids.add(s.saveTree(tree));
      }
      s.flush();
    }
    return store;
  }

  private RepositoryOptions options() {
    return RepositoryOptions.defaults(tmp.resolve("cache"));
  }

  private void readAll(Repository r) {
    for (int i = 0; i < ids.size(); i++) {
      assertThat(r.loadBlob(BlobType.TREE, ids.get(i))).isEqualTo(trees.get(i));
    }
  }

  private List<Path> cachedPacks() throws Exception {
    Path dir = tmp.resolve("cache");
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).filter(p -> p.getParent().getParent().getFileName().toString()
          .equals("trees")).toList();
    }
  }

  @Test
  void aRemoteRepositorysTreesAreReadFromTheStoreOncePerPack() throws Exception {
    Remote store = repository(true);
    try (Repository r = Repository.open(store, "pw".toCharArray(), options())) {
      store.reads.set(0);
      readAll(r);
      readAll(r);
      assertThat(store.reads).as("one whole read of the one tree pack").hasValue(1);
    }
    assertThat(cachedPacks()).hasSize(1);
    try (Repository r = Repository.open(store, "pw".toCharArray(), options())) {
      store.reads.set(0);
      readAll(r);
      assertThat(store.reads).as("a later run reads the local copy").hasValue(0);
    }
  }

  @Test
  void aDamagedCopyIsACacheMissAndIsReplaced() throws Exception {
    Remote store = repository(true);
    try (Repository r = Repository.open(store, "pw".toCharArray(), options())) {
      readAll(r);
    }
    Path copy = cachedPacks().getFirst();
    byte[] bytes = Files.readAllBytes(copy);
    bytes[100] ^= 1;
    Files.write(copy, bytes);

    try (Repository r = Repository.open(store, "pw".toCharArray(), options())) {
      readAll(r);
      store.reads.set(0);
      readAll(r);
      assertThat(store.reads).as("fetched again once, then local").hasValue(0);
    }
    assertThat(Files.readAllBytes(copy)).isNotEqualTo(bytes);
  }

  @Test
  void aRepositoryOnThisMachineIsNotCopied() throws Exception {
    Remote store = repository(false);
    try (Repository r = Repository.open(store, "pw".toCharArray(), options())) {
      store.reads.set(0);
      readAll(r);
      assertThat(store.reads).hasValue(ids.size());
    }
    assertThat(cachedPacks()).isEmpty();
  }

  @Test
  void anUnwritableCacheFallsBackToTheStore() throws Exception {
    Remote store = repository(true);
    Files.createDirectories(tmp.resolve("cache"));
    try (Repository r = Repository.open(store, "pw".toCharArray(), options())) {
      Path trees = tmp.resolve("cache").resolve(r.config().id().hex()).resolve("trees");
      Files.createDirectories(trees.getParent());
      Files.writeString(trees, "a file where the directory would be");
      store.reads.set(0);
      readAll(r);
      assertThat(store.reads.get()).isGreaterThanOrEqualTo(ids.size());
    }
  }
}
