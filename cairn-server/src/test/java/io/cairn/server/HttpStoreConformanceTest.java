package io.cairn.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.store.BlobStore;
import io.cairn.store.BlobStoreConformanceTest;
import io.cairn.store.Handle;
import io.cairn.store.HttpStore;
import io.cairn.store.StoreException;
import io.cairn.store.StoreSamples;
import io.cairn.store.StoreSamples.Sample;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store contract through a real vault server's object API: {@link HttpStore} with an
 * {@code append} agent credential, each test on a new repository of one server, storing
 * well-formed repository objects (the server refuses anything else). What the server narrows on
 * purpose, compared with a directory or a bucket, is stated here as tests too.
 */
class HttpStoreConformanceTest extends BlobStoreConformanceTest {
  private static final AtomicInteger REPOSITORIES = new AtomicInteger();
  @TempDir static Path data;
  static TestVault vault;

  @BeforeAll
  static void startVault() {
    vault = TestVault.start(data);
    vault.createTenant("conformance", null, null);
  }

  @AfterAll
  static void stopVault() {
    if (vault != null) {
      vault.close();
    }
  }

  @Override
  protected StoreSamples samples() {
    return StoreSamples.REPOSITORY_OBJECTS;
  }

  @Override
  protected BlobStore newStore(Path tempDir) {
    String repo = "r" + REPOSITORIES.incrementAndGet();
    vault.createRepository("conformance", repo);
    String credential = vault.enrollAgent("conformance", repo, "append", "agent-" + repo);
    return new HttpStore(vault.repositoryUrl("conformance", repo), credential, vault.fingerprint, w -> { });
  }

  @Test
  void anObjectThatIsNotWhatItsNameSaysIsRefusedAndNothingIsStored() {
    Sample pack = sample(Handle.Kind.PACK, 40, 1000);
    byte[] damaged = pack.bytes().clone();
    damaged[10] ^= 1;

    assertThatThrownBy(() -> store.putIfAbsent(pack.key(), damaged))
        .isInstanceOf(HttpStore.RefusedException.class).hasMessageContaining("SHA-256");
    assertThatThrownBy(() -> store.putIfAbsent("data/ab/k1", new byte[10]))
        .isInstanceOf(HttpStore.RefusedException.class).hasMessageContaining("does not end in an id");
    assertThat(store.list("")).isEmpty();
  }

  /**
   * A backup walks its tree on a fork-join pool and reads old trees into the thread's own
   * buffer; a request must not run the pool's other tasks on the waiting thread (as a {@code
   * CompletableFuture} wait in a pool's thread does), or they overwrite that buffer meanwhile.
   */
  @Test
  void aRequestRunsNoOtherTaskOfTheCallersPoolOnItsThread() throws Exception {
    Sample pack = sample(Handle.Kind.PACK, 42, 1000);
    store.putIfAbsent(pack.key(), pack.bytes());
    ThreadLocal<String> owner = new ThreadLocal<>();
    java.util.concurrent.ForkJoinPool pool = new java.util.concurrent.ForkJoinPool(1);
    try {
      java.util.concurrent.CompletableFuture<String> outer = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        owner.set("outer");
        // Queued behind this task, in its own worker's queue.
        java.util.List<java.util.concurrent.CompletableFuture<Void>> others = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
          others.add(java.util.concurrent.CompletableFuture.runAsync(() -> owner.set("another task"), pool));
        }
        for (int i = 0; i < 5; i++) {
          store.getRange(pack.key(), 0, 10);
        }
        String seen = owner.get();
        others.forEach(java.util.concurrent.CompletableFuture::join);
        return seen;
      }, pool);

      assertThat(outer.get(60, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("outer");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void agentsDeleteOnlySessionMarkers() {
    Sample snapshot = sample(Handle.Kind.SNAPSHOT, 41, 1000);
    store.putIfAbsent(snapshot.key(), snapshot.bytes());

    assertThatThrownBy(() -> store.delete(snapshot.key())).isInstanceOf(StoreException.class)
        .hasMessageContaining("run by the server");
    assertThat(store.get(snapshot.key())).isEqualTo(snapshot.bytes());
  }
}
