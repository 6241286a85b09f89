package io.cairn.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.format.ObjectNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The store contract on a real S3 server (s3proxy), each test in a bucket of its own under a
 * prefix, through the stack {@link Stores#open} builds ({@link RetryingStore} over {@link
 * S3Store}): a pooled connection that the server closed after an early answer fails once, as
 * it would in production, and is retried there.
 */
class S3StoreTest extends RawStoreConformanceTest {
  private S3ProxyServer s3;
  private StoreLocation.Bucket where;

  @Override
  protected BlobStore newStore(Path tempDir) {
    s3 = S3ProxyServer.shared();
    where = s3.newLocation("conf", "tenants/acme");
    BlobStore store = Stores.open(where, s3.access(Duration.ofSeconds(30)));
    store.init();
    return store;
  }

  private BlobStore sibling(String prefix) {
    return Stores.open(new StoreLocation.Bucket(where.endpoint(), where.bucket(), prefix), s3.access(Duration.ofSeconds(30)));
  }

  @Test
  void objectsOutsideThePrefixAreNeitherListedNorReachable() {
    store.putIfAbsent("config", payload(1, 10));
    try (BlobStore whole = sibling(""); BlobStore neighbour = sibling("tenants/other/")) {
      neighbour.putIfAbsent("config", payload(2, 20));
      whole.putIfAbsent("index/i1", payload(3, 30));

      assertThat(store.list("")).containsExactly(new StoreEntry("config", 10));
      assertThat(neighbour.list("")).containsExactly(new StoreEntry("config", 20));
      assertThat(whole.list("index/")).containsExactly(new StoreEntry("index/i1", 30));
      assertThat(store.list("index/")).isEmpty();
      // The layout is the prefix and the key, nothing else: the bucket's root sees the objects there.
      assertThat(whole.get("tenants/acme/config")).isEqualTo(payload(1, 10));
      assertThat(whole.get("tenants/other/config")).isEqualTo(payload(2, 20));
    }
  }

  @Test
  void aMultipartUploadIsConditionalToo() throws Exception {
    byte[] big = payload(4, 12 << 20);
    Path spool = store.createSpoolFile();
    Files.write(spool, big);
    assertThat(store.putIfAbsent("data/ab/big", spool)).isTrue();
    byte[] other = payload(5, 12 << 20);
    Path again = store.createSpoolFile();
    Files.write(again, other);

    assertThat(store.putIfAbsent("data/ab/big", again)).isFalse();
    assertThat(again).doesNotExist();
    assertThat(store.get("data/ab/big")).isEqualTo(big);
  }

  @Test
  void initMakesTheBucketAndIsIdempotent() {
    try (BlobStore fresh = Stores.open(s3.newLocation("fresh", ""), s3.access(Duration.ofSeconds(30)))) {
      assertThatThrownBy(() -> fresh.putIfAbsent("config", new byte[1]))
          .isInstanceOf(StoreException.class).hasMessageContaining("does not exist").hasMessageContaining("cairn init");
      assertThat(fresh.list("")).isEmpty();
      fresh.init();
      fresh.init();

      assertThat(fresh.putIfAbsent("config", new byte[1])).isTrue();
      assertThat(fresh.list("")).containsExactly(new StoreEntry("config", 1));
    }
  }

  @Test
  void wrongKeysAreRefusedWithAClearMessageAndNotRetried() {
    store.putIfAbsent("config", new byte[3]);
    java.util.List<String> retried = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (BlobStore wrong = Stores.open(where, Stores.Access.of(Duration.ofSeconds(30))
        .withS3(new S3Store.Keys(S3ProxyServer.ACCESS_KEY, "not-the-secret"), S3Store.Tuning.DEFAULT)
        .withRetries((loc, why, until) -> retried.add(why)))) {
      assertThatThrownBy(() -> wrong.get("config")).isInstanceOf(StoreException.class)
          .isNotInstanceOf(ObjectNotFoundException.class).hasMessageContaining("403");
    }
    assertThat(retried).as("a refusal is not retried").isEmpty();
  }

  @Test
  void anUnreachableEndpointIsRetriedThenExplained() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    StoreLocation.Bucket nowhere = new StoreLocation.Bucket(java.net.URI.create("http://127.0.0.1:" + port),
        "nowhere", "");
    java.util.List<String> told = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (BlobStore s = Stores.open(nowhere, s3.access(Duration.ofSeconds(2))
        .withRetries((loc, why, until) -> told.add(why)))) {
      assertThatThrownBy(() -> s.get("config")).isInstanceOf(StoreException.class)
          .hasMessageContaining("did not answer within 2 s").hasMessageContaining("could not be reached");
    }
    assertThat(told).isNotEmpty();
  }
}
