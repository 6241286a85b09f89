package io.cairn.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectLockRetentionMode;
import software.amazon.awssdk.services.s3.model.ObjectVersion;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * S3 Object Lock on Ceph RGW through {@link S3Store}: a locked object cannot be deleted or have
 * its lock shortened, by the store or by anyone holding the bucket's keys, until its lock ends.
 */
class RgwObjectLockTest {
  private CephRgw rgw;
  private S3Client client;
  private S3Store store;
  private StoreLocation.Bucket where;

  @BeforeEach
  void open() {
    rgw = CephRgw.shared();
    client = S3Store.client(rgw.endpoint(), rgw.keys());
    where = rgw.newLocation("lock", "acme/laptops");
    store = S3Store.on(client, where, S3Store.Tuning.DEFAULT, S3Store.LockMode.COMPLIANCE);
    store.init();
  }

  @AfterEach
  void close() {
    client.close();
  }

  private static byte[] bytes(int seed) {
    byte[] b = new byte[1000];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void aLockedObjectCannotBeDeletedOrUnlockedEvenWithTheBucketsKeys() {
    assertThat(store.bucketLocks()).isTrue();
    byte[] pack = bytes(1);
    assertThat(store.putIfAbsent("data/ab/locked", pack)).isTrue();
    Instant until = Instant.now().plus(Duration.ofHours(2)).truncatedTo(ChronoUnit.SECONDS);

    assertThat(store.lockUntil("data/ab/locked", until)).isTrue();
    assertThat(store.lockedUntil("data/ab/locked")).contains(until);
    // Never shortened: a shorter request leaves the longer lock.
    assertThat(store.lockUntil("data/ab/locked", until.minus(Duration.ofHours(1)))).isTrue();
    assertThat(store.lockedUntil("data/ab/locked")).contains(until);

    assertThatThrownBy(() -> store.delete("data/ab/locked")).isInstanceOf(StoreException.class)
        .hasMessageContaining("locked until " + until);
    assertThat(store.get("data/ab/locked")).isEqualTo(pack);

    // Someone holding the provider's own keys, straight at the S3 API.
    String key = store.objectKey("data/ab/locked");
    List<ObjectVersion> versions = client.listObjectVersions(b -> b.bucket(where.bucket()).prefix(key)).versions();
    assertThat(versions).hasSize(1);
    String version = versions.getFirst().versionId();
    assertThatThrownBy(() -> client.deleteObject(b -> b.bucket(where.bucket()).key(key).versionId(version)))
        .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));
    assertThatThrownBy(() -> client.deleteObject(b -> b.bucket(where.bucket()).key(key).versionId(version)
        .bypassGovernanceRetention(true)))
        .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));
    assertThatThrownBy(() -> client.putObjectRetention(b -> b.bucket(where.bucket()).key(key).versionId(version)
        .retention(r -> r.mode(ObjectLockRetentionMode.COMPLIANCE).retainUntilDate(Instant.now().plusSeconds(60)))))
        .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));
    // A plain DELETE only hides the object behind a delete marker; the locked version stays, and
    // removing the marker (which is not locked) brings the object back, bit for bit.
    client.deleteObject(b -> b.bucket(where.bucket()).key(key));
    assertThat(store.size("data/ab/locked")).isEmpty();
    var marker = client.listObjectVersions(b -> b.bucket(where.bucket()).prefix(key)).deleteMarkers().getFirst();
    client.deleteObject(b -> b.bucket(where.bucket()).key(key).versionId(marker.versionId()));
    assertThat(store.get("data/ab/locked")).isEqualTo(pack);
  }

  @Test
  void anUnlockedObjectInALockingBucketGoesWithAllItsVersions() {
    assertThat(store.putIfAbsent("index/free", bytes(2))).isTrue();
    assertThat(store.lockedUntil("index/free")).isEmpty();

    assertThat(store.delete("index/free")).isTrue();

    assertThat(client.listObjectVersions(b -> b.bucket(where.bucket()).prefix(store.objectKey("index/free")))
        .versions()).isEmpty();
    assertThat(client.listObjectVersions(b -> b.bucket(where.bucket()).prefix(store.objectKey("index/free")))
        .deleteMarkers()).isEmpty();
    assertThat(store.delete("index/free")).isFalse();
    // The key can be written again: a new object, not a version hidden behind a marker.
    assertThat(store.putIfAbsent("index/free", bytes(3))).isTrue();
    assertThat(store.get("index/free")).isEqualTo(bytes(3));
  }

  @Test
  void withoutALockModeOrObjectLockNothingIsLocked() {
    try (S3Store plain = S3Store.on(client, rgw.newLocation("plain", ""), S3Store.Tuning.DEFAULT, null)) {
      plain.init();
      plain.putIfAbsent("config", bytes(4));
      assertThat(plain.bucketLocks()).isFalse();
      assertThat(plain.lockUntil("config", Instant.now().plusSeconds(3600))).isFalse();
      assertThat(plain.lockedUntil("config")).isEmpty();
      assertThat(plain.delete("config")).isTrue();
    }
  }
}
