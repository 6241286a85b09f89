package io.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cairn.format.Json;
import io.cairn.server.TestVault;
import io.cairn.store.CephRgw;
import io.cairn.store.S3Store;
import io.cairn.store.StoreLocation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectVersion;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The vault server with its repositories on Ceph RGW with S3 Object Lock: what an immutable
 * snapshot needs is locked in the bucket itself, so that someone holding the provider's own S3
 * keys cannot delete it, and the tenant restores bit for bit afterwards.
 */
class RgwServerTest {
  @TempDir Path tmp;
  private CephRgw rgw;
  private TestVault vault;
  private StoreLocation.Bucket bucket;
  private Cli cli;
  private Path credentials;
  private String url;

  @BeforeEach
  void start() throws Exception {
    rgw = CephRgw.shared();
    bucket = rgw.newLocation("vault", "cairn");
    Map<String, String> settings = new HashMap<>(Map.of("jobs.gc.grace", "0s", "jobs.gc.fence-margin", "0s",
        "storage.location", bucket.text(), "storage.object-lock", "compliance",
        "storage.s3.access-key-id", CephRgw.ACCESS_KEY, "storage.s3.secret-access-key", CephRgw.SECRET_KEY));
    vault = TestVault.start(tmp.resolve("vault"), 0, settings);
    vault.createTenant("acme", null, null);
    vault.createRepository("acme", "laptops");
    cli = new Cli(Files.createDirectories(tmp.resolve("agent")));
    credentials = cli.dir.resolve("credentials.json");
    url = vault.repositoryUrl("acme", "laptops");
    Cli.Result e = run("enroll", vault.base, "--token", vault.enrollmentToken("acme", "laptops", "append"),
        "--fingerprint", vault.fingerprint, "--name", "laptop1");
    assertThat(e.exit()).as(e.err()).isZero();
  }

  @AfterEach
  void stop() {
    if (vault != null) {
      vault.close();
    }
    io.cairn.store.SdkKeys.clear();
  }

  private Cli.Result run(String... args) {
    String[] all = Stream.concat(Stream.of("--credentials", credentials.toString()), Stream.of(args))
        .toArray(String[]::new);
    return cli.runAt(url, all);
  }

  @Test
  void lockedSnapshotsSurviveSomeoneWithTheProvidersKeys() throws Exception {
    vault.admin("PATCH", "/api/v1/tenants/acme/repos/laptops", Map.of("immutabilityDays", 1));
    assertThat(run("init").exit()).isZero();
    Path src = ServerFlowTest.tree(tmp.resolve("src"), 1, 8, 120_000);
    assertThat(run("backup", src.toString()).exit()).isZero();
    Files.writeString(src.resolve("more.txt"), "second day\n");
    assertThat(run("backup", src.toString()).exit()).isZero();

    // Each snapshot is locked in the bucket by the pass that follows its arrival, before any job runs.
    StoreLocation.Bucket repoBucket = bucket.under("acme/laptops");
    try (S3Client c = S3Store.client(rgw.endpoint(), rgw.keys());
        S3Store raw = S3Store.on(c, repoBucket, S3Store.Tuning.DEFAULT, null)) {
      java.util.List<String> snapshots = raw.list(io.cairn.store.StoreKeys.SNAPSHOTS).stream()
          .map(io.cairn.store.StoreEntry::key).toList();
      assertThat(snapshots).hasSize(2);
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
      while (!snapshots.stream().allMatch(k -> raw.lockedUntil(k).isPresent()) && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      for (String k : snapshots) {
        assertThat(raw.lockedUntil(k)).as(k).hasValueSatisfying(u -> assertThat(u).isAfter(java.time.Instant.now()
            .plus(java.time.Duration.ofHours(23))));
      }
    }

    var h = vault.repository("acme", "laptops");
    Map<String, Object> job = vault.server.maintenance().runNow(h, "retention");
    JsonNode lock = Json.MAPPER.readTree((String) job.get("summary")).path("objectLock");
    assertThat(lock.path("lockedSnapshots").asInt()).as(job.toString()).isEqualTo(2);
    assertThat(lock.path("objects").asInt()).isGreaterThan(4);
    // The server's own GC leaves what is locked alone and does not fail on it.
    Map<String, Object> gc = vault.server.maintenance().runNow(h, "gc");
    assertThat(gc.get("status")).as(gc.toString()).isEqualTo("ok");

    // Someone with the provider's S3 keys deletes every version of every object of the repository.
    StoreLocation.Bucket repo = bucket.under("acme/laptops");
    Map<String, Integer> refused = new TreeMap<>();
    try (S3Client attacker = S3Store.client(rgw.endpoint(), rgw.keys())) {
      for (ObjectVersion v : attacker.listObjectVersionsPaginator(b -> b.bucket(repo.bucket()).prefix(repo.prefix()))
          .versions()) {
        String kind = v.key().substring(repo.prefix().length()).replaceFirst("/.*", "/");
        try {
          attacker.deleteObject(b -> b.bucket(repo.bucket()).key(v.key()).versionId(v.versionId()));
        } catch (S3Exception e) {
          assertThat(e.statusCode()).isEqualTo(403);
          refused.merge(kind, 1, Integer::sum);
        }
      }
    }
    assertThat(refused).containsKeys("config", "keys/", "data/", "snapshots/");
    assertThat(refused.get("snapshots/")).isEqualTo(2);

    // The tenant, with the password and the bucket: the index is rebuilt from the locked packs
    // (keyless), and both snapshots restore bit for bit.
    vault.close();
    vault = null;
    io.cairn.store.SdkKeys.set(CephRgw.ACCESS_KEY, CephRgw.SECRET_KEY);
    Cli.Result repair = cli.runAt(repo.text(), "repair", "index");
    assertThat(repair.exit()).as(repair.out() + repair.err()).isZero();
    Cli.Result check = cli.runAt(repo.text(), "check", "--read-data");
    assertThat(check.exit()).as(check.out() + check.err()).isZero();
    Path out = tmp.resolve("out");
    Cli.Result r = cli.runAt(repo.text(), "restore", "latest", "--target", out.toString(), "--verify");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(CrashTest.contents(out.resolve(src.toString().substring(1)))).isEqualTo(CrashTest.contents(src));
  }
}
