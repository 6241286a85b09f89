package io.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cairn.format.Json;
import io.cairn.server.TestVault;
import io.cairn.store.CephRgw;
import io.cairn.store.FaultInjectingStore;
import io.cairn.store.StoreLocation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server on Ceph RGW while the object store misbehaves: a few percent of its answers are
 * 500/503 (half of them after the work was done) or come late, and then it stops answering
 * altogether for a while. Backups complete, or fail saying why and complete when it is back;
 * nothing committed is lost.
 */
class RgwFaultsTest {
  @TempDir Path tmp;
  private TestVault vault;
  private final List<FaultInjectingStore> stores = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    if (vault != null) {
      vault.close();
    }
    io.cairn.store.SdkKeys.clear();
  }

  private Cli.Result run(Cli cli, String url, Path credentials, String... args) {
    String[] all = Stream.concat(Stream.of("--credentials", credentials.toString()), Stream.of(args))
        .toArray(String[]::new);
    return cli.runAt(url, all);
  }

  @Test
  void backupsSurviveAFlakyObjectStoreAndAnOutage() throws Exception {
    CephRgw rgw = CephRgw.shared();
    StoreLocation.Bucket bucket = rgw.newLocation("faults", "vault");
    Map<String, String> settings = new HashMap<>(Map.of("jobs.gc.grace", "0s", "jobs.gc.fence-margin", "0s",
        "storage.location", bucket.text(), "storage.retry-for", "2s",
        "storage.s3.access-key-id", CephRgw.ACCESS_KEY, "storage.s3.secret-access-key", CephRgw.SECRET_KEY));
    vault = TestVault.start(tmp.resolve("vault"), 0, settings, s -> {
      FaultInjectingStore f = FaultInjectingStore.wrap(s).flaky(0.08, 17).stall(0.03, Duration.ofMillis(300));
      stores.add(f);
      return f;
    });
    vault.createTenant("acme", null, null);
    vault.createRepository("acme", "laptops");
    vault.admin("PATCH", "/api/v1/tenants/acme/repos/laptops", Map.of("retention", Map.of("keepLast", 1)));
    String url = vault.repositoryUrl("acme", "laptops");
    Cli cli = new Cli(Files.createDirectories(tmp.resolve("agent")));
    Path creds = cli.dir.resolve("credentials.json");
    assertThat(run(cli, url, creds, "enroll", vault.base, "--token", vault.enrollmentToken("acme", "laptops", "append"),
        "--fingerprint", vault.fingerprint, "--name", "laptop1").exit()).isZero();
    assertThat(run(cli, url, creds, "init").exit()).isZero();

    // A few percent of the object store's answers fail or come late: nobody notices.
    Path src = tmp.resolve("src");
    for (int i = 0; i < 3; i++) {
      ServerFlowTest.tree(src, 40 + i, 10, 150_000);
      Cli.Result b = run(cli, url, creds, "backup", src.toString());
      assertThat(b.exit()).as(b.err()).isZero();
    }
    var h = vault.repository("acme", "laptops");
    for (String kind : List.of("retention", "gc", "gc", "scrub")) {
      Map<String, Object> job = vault.server.maintenance().runNow(h, kind);
      assertThat(job.get("status")).as(job.toString()).isEqualTo("ok");
    }
    Path out = tmp.resolve("out");
    Cli.Result r = run(cli, url, creds, "restore", "latest", "--target", out.toString(), "--verify");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(CrashTest.contents(out.resolve(src.toString().substring(1)))).isEqualTo(CrashTest.contents(src));
    assertThat(stores).isNotEmpty();
    assertThat(stores.stream().mapToInt(FaultInjectingStore::faultsInjected).sum()).as("faults injected")
        .isGreaterThanOrEqualTo(5);

    // The object store stops answering: the server answers 503, the agent retries, then gives up clearly.
    stores.forEach(f -> f.flaky(2.0, 1));
    ServerFlowTest.tree(src, 50, 4, 100_000);
    Cli.Result failed = run(cli, url, creds, "--retry-for", "4s", "backup", src.toString());
    assertThat(failed.exit()).isEqualTo(1);
    assertThat(failed.err()).contains("is not answering (HTTP 503)").contains("did not answer within 4 s");

    // Back again: the next backup goes through, and everything committed is there.
    stores.forEach(FaultInjectingStore::heal);
    Cli.Result again = run(cli, url, creds, "--json", "backup", src.toString());
    assertThat(again.exit()).as(again.err()).isZero();
    JsonNode snaps = Json.MAPPER.readTree(run(cli, url, creds, "--json", "snapshots").out());
    assertThat(snaps).hasSize(2); // the one kept by retention, and the new one
    vault.close();
    vault = null;
    io.cairn.store.SdkKeys.set(CephRgw.ACCESS_KEY, CephRgw.SECRET_KEY);
    StoreLocation raw = bucket.under("acme/laptops");
    Cli.Result check = cli.runAt(raw.text(), "check", "--read-data");
    assertThat(check.exit()).as(check.out() + check.err()).isZero();
    Path last = tmp.resolve("last");
    Cli.Result restore = cli.runAt(raw.text(), "restore", "latest", "--target", last.toString(), "--verify");
    assertThat(restore.exit()).as(restore.err()).isZero();
    assertThat(CrashTest.contents(last.resolve(src.toString().substring(1)))).isEqualTo(CrashTest.contents(src));
  }
}
