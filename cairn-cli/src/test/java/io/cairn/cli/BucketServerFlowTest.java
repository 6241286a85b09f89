package io.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cairn.format.Json;
import io.cairn.server.TestVault;
import io.cairn.store.BlobStore;
import io.cairn.store.S3ProxyServer;
import io.cairn.store.StoreEntry;
import io.cairn.store.StoreLocation;
import io.cairn.store.Stores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The vault server with its tenants' repositories in a bucket on a real S3 server (s3proxy):
 * agents of several tenants back up and restore through it, quotas hold, metering is what the
 * bucket holds, the server's retention, GC (while an agent backs up) and scrub work keylessly
 * on the bucket, and the bucket alone restores with the server gone.
 */
class BucketServerFlowTest {
  @TempDir Path tmp;
  private static S3ProxyServer s3;
  private TestVault vault;
  private StoreLocation.Bucket bucket;

  @BeforeAll
  static void keys() {
    s3 = S3ProxyServer.sharedWithSdkKeys();
  }

  @AfterAll
  static void noKeys() {
    S3ProxyServer.clearSdkKeys();
  }

  @AfterEach
  void stop() {
    if (vault != null) {
      vault.close();
    }
  }

  private TestVault start(String layout) {
    Map<String, String> settings = new HashMap<>(Map.of("jobs.gc.grace", "0s", "jobs.gc.fence-margin", "0s",
        "storage.location", bucket.text(), "storage.layout", layout,
        "storage.s3.access-key-id", S3ProxyServer.ACCESS_KEY, "storage.s3.secret-access-key", S3ProxyServer.SECRET_KEY,
        "storage.capacity-bytes", String.valueOf(10L << 30)));
    return TestVault.start(tmp.resolve("vault"), 0, settings);
  }

  /** An agent of one tenant's repository, enrolled with a scope. */
  private final class Agent {
    final Cli cli;
    final Path credentials;
    final String url;

    Agent(String tenant, String repo, String name, String scope) throws Exception {
      cli = new Cli(Files.createDirectories(tmp.resolve("agents").resolve(name)));
      credentials = cli.dir.resolve("credentials.json");
      url = vault.repositoryUrl(tenant, repo);
      Cli.Result e = run("enroll", vault.base, "--token", vault.enrollmentToken(tenant, repo, scope),
          "--fingerprint", vault.fingerprint, "--name", name);
      assertThat(e.exit()).as(e.err()).isZero();
    }

    Cli.Result run(String... args) {
      String[] all = Stream.concat(Stream.of("--credentials", credentials.toString()), Stream.of(args))
          .toArray(String[]::new);
      return cli.runAt(url, all);
    }
  }

  private static long bytesIn(StoreLocation where) {
    try (BlobStore raw = Stores.open(where, s3.access(Duration.ofSeconds(30)))) {
      return raw.list("").stream().mapToLong(StoreEntry::size).sum();
    }
  }

  @Test
  void tenantsBackUpRestoreAndAreMaintainedOnABucket() throws Exception {
    bucket = s3.newLocation("vault", "cairn");
    vault = start("shared");
    vault.createTenant("acme", null, null);
    vault.createRepository("acme", "laptops");
    vault.createTenant("globex", null, null);
    vault.createRepository("globex", "servers");
    vault.admin("PATCH", "/api/v1/tenants/globex", Map.of("hardQuotaBytes", 1_000_000));
    vault.admin("PATCH", "/api/v1/tenants/acme/repos/laptops", Map.of("retention", Map.of("keepLast", 1)));

    Agent a1 = new Agent("acme", "laptops", "laptop1", "append");
    Agent a2 = new Agent("acme", "laptops", "laptop2", "append");
    Agent g1 = new Agent("globex", "servers", "db1", "append");
    assertThat(a1.run("init").exit()).isZero();
    assertThat(g1.run("init").exit()).isZero();

    Path src1 = ServerFlowTest.tree(tmp.resolve("src1"), 1, 6, 80_000);
    Path src2 = ServerFlowTest.tree(tmp.resolve("src2"), 2, 6, 80_000);
    assertThat(a1.run("backup", src1.toString()).exit()).isZero();
    assertThat(a2.run("backup", src2.toString()).exit()).isZero();
    // Over globex's hard quota: refused clearly, nothing committed, acme unaffected.
    Path big = ServerFlowTest.tree(tmp.resolve("big"), 3, 8, 200_000);
    Cli.Result refused = g1.run("backup", big.toString());
    assertThat(refused.exit()).isEqualTo(1);
    assertThat(refused.err()).contains("quota is full");
    assertThat(Json.MAPPER.readTree(g1.run("--json", "snapshots").out())).isEmpty();

    // Each repository is a prefix of the bucket; the server's counts are what the bucket holds.
    StoreLocation acme = bucket.under("acme/laptops");
    StoreLocation globex = bucket.under("globex/servers");
    long acmeBytes = bytesIn(acme);
    assertThat(vault.repository("acme", "laptops").physicalBytes()).isEqualTo(acmeBytes);
    assertThat(vault.repository("globex", "servers").physicalBytes()).isEqualTo(bytesIn(globex));
    String today = LocalDate.now(ZoneOffset.UTC).toString();
    JsonNode usage = vault.admin("GET", "/api/v1/tenants/acme/usage?from=" + today + "&to=" + today, null);
    assertThat(usage.get(0).path("physicalBytes").asLong()).isEqualTo(acmeBytes);
    JsonNode dashboard = vault.admin("GET", "/api/v1/dashboard", null);
    assertThat(dashboard.path("capacity").path("path").asText()).contains(bucket.text());
    assertThat(dashboard.path("capacity").path("totalBytes").asLong()).isEqualTo(10L << 30);

    // Retention and GC on the bucket, with an agent backing up at the same time.
    for (int i = 0; i < 2; i++) {
      ServerFlowTest.tree(src1, 10 + i, 6, 80_000);
      assertThat(a1.run("backup", src1.toString()).exit()).isZero();
    }
    var h = vault.repository("acme", "laptops");
    Map<String, Object> retention = vault.server.maintenance().runNow(h, "retention");
    assertThat((String) retention.get("summary")).as(retention.toString()).contains("\"forgotten\":2");
    Path src3 = ServerFlowTest.tree(tmp.resolve("src3"), 4, 12, 100_000);
    CompletableFuture<Cli.Result> during = CompletableFuture.supplyAsync(() -> a2.run("backup", src3.toString()));
    long freed = 0;
    for (int i = 0; i < 3; i++) { // condemn, then sweep, with the backup going on
      Map<String, Object> gc = vault.server.maintenance().runNow(h, "gc");
      assertThat(gc.get("status")).as(gc.toString()).isEqualTo("ok");
      freed += Json.MAPPER.readTree((String) gc.get("summary")).path("bytesFreed").asLong();
      if (i == 1) {
        assertThat(during.get().exit()).as(during.get().err()).isZero();
      }
    }
    // Two forgotten snapshots of about 700 KB of random data each.
    assertThat(freed).isGreaterThan(1_000_000);
    assertThat(h.physicalBytes()).isEqualTo(bytesIn(acme));
    assertThat(vault.server.maintenance().runNow(h, "scrub").get("status")).isEqualTo("ok");

    // Bit rot in the bucket: scrub finds it by name.
    StoreLocation.Bucket acmeBucket = (StoreLocation.Bucket) acme;
    Path pack;
    try (Stream<Path> s = Files.walk(s3.fileOf(acmeBucket.bucket(), acmeBucket.prefix() + "data"))) {
      pack = s.filter(Files::isRegularFile).max(Comparator.comparingLong(p -> p.toFile().length())).orElseThrow();
    }
    byte[] original = Files.readAllBytes(pack);
    byte[] flipped = original.clone();
    flipped[flipped.length / 2] ^= 0x10;
    Files.write(pack, flipped);
    Map<String, Object> scrub = vault.server.maintenance().runNow(h, "scrub");
    assertThat(scrub.get("status")).isEqualTo("problems");
    assertThat((String) scrub.get("summary")).contains(pack.getFileName().toString().substring(0, 8));
    Files.write(pack, original);

    // The bucket alone: server stopped, its database gone, the tenant's password and the bucket restore.
    vault.close();
    vault = null;
    try (Stream<Path> s = Files.walk(tmp.resolve("vault"))) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    Cli.Result check = a1.cli.runAt(acme.text(), "check", "--read-data");
    assertThat(check.exit()).as(check.out() + check.err()).isZero();
    JsonNode snaps = Json.MAPPER.readTree(a1.cli.runAt(acme.text(), "--json", "snapshots").out());
    assertThat(snaps).hasSize(3);
    Path out = tmp.resolve("out");
    String third = null;
    for (JsonNode snap : snaps) {
      if (snap.path("paths").get(0).asText().equals(src3.toString())) {
        third = snap.path("id").asText();
      }
    }
    assertThat(third).as("the snapshot taken during GC").isNotNull();
    Cli.Result r = a1.cli.runAt(acme.text(), "restore", third, "--target", out.toString(), "--verify");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(CrashTest.contents(out.resolve(src3.toString().substring(1)))).isEqualTo(CrashTest.contents(src3));
  }

  @Test
  void aBucketPerTenantKeepsEachTenantsDataApart() throws Exception {
    bucket = s3.newLocation("vt", "");
    vault = start("bucket-per-tenant");
    vault.createTenant("acme", null, null);
    vault.createRepository("acme", "laptops");
    Agent a = new Agent("acme", "laptops", "laptop1", "append");
    assertThat(a.run("init").exit()).isZero();
    Path src = ServerFlowTest.tree(tmp.resolve("src"), 5, 4, 50_000);
    assertThat(a.run("backup", src.toString()).exit()).isZero();

    StoreLocation own = new StoreLocation.Bucket(bucket.endpoint(), bucket.bucket() + "-acme", "laptops/");
    assertThat(bytesIn(own)).isPositive().isEqualTo(vault.repository("acme", "laptops").physicalBytes());
    Cli.Result r = a.cli.runAt(own.text(), "restore", "latest", "--target", tmp.resolve("out").toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(CrashTest.contents(tmp.resolve("out").resolve(src.toString().substring(1))))
        .isEqualTo(CrashTest.contents(src));
  }
}
