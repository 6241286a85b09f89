package io.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cairn.format.Json;
import io.cairn.server.RepoHandle;
import io.cairn.server.TestVault;
import io.cairn.store.HttpStore;
import io.cairn.store.StoreKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sixteen agents of three tenants back up to one server at the same time, twice each, while the
 * server's garbage collection runs in a loop with no grace period. Afterwards every snapshot
 * restores bit for bit, each tenant's metered bytes equal its bytes on disk, the repositories
 * check clean, and no agent can reach another tenant's repository.
 */
class ConcurrentAgentsTest {
  @TempDir Path tmp;

  record Agent(int n, String tenant, Cli cli, Path credentials, Path source, String url) {
    Cli.Result run(String... args) {
      String[] all = Stream.concat(Stream.of("--credentials", credentials.toString()), Stream.of(args))
          .toArray(String[]::new);
      return cli.runAt(url, all);
    }
  }

  @Test
  void sixteenAgentsOfThreeTenantsWhileGarbageCollectionRuns() throws Exception {
    List<String> tenants = List.of("north", "south", "west");
    try (TestVault vault = TestVault.start(tmp.resolve("vault"), 0,
        Map.of("jobs.gc.grace", "0s", "jobs.gc.fence-margin", "0s"))) {
      for (String t : tenants) {
        vault.createTenant(t, null, null);
        vault.createRepository(t, "main");
      }
      List<Agent> agents = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        String tenant = tenants.get(i % 3);
        Path dir = Files.createDirectories(tmp.resolve("agent" + i));
        Agent a = new Agent(i, tenant, new Cli(dir), dir.resolve("credentials.json"), dir.resolve("src"),
            vault.repositoryUrl(tenant, "main"));
        Files.writeString(a.cli().passwordFile, "password of " + tenant + "\n");
        String token = vault.enrollmentToken(tenant, "main", "append");
        Cli.Result e = a.run("enroll", vault.base, "--token", token, "--fingerprint", vault.fingerprint,
            "--name", "agent" + i);
        assertThat(e.exit()).as(e.err()).isZero();
        agents.add(a);
      }
      for (int t = 0; t < 3; t++) {
        Cli.Result init = agents.get(t).run("init");
        assertThat(init.exit()).as(init.err()).isZero();
      }

      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger gcRuns = new AtomicInteger();
      List<String> gcFailures = new ArrayList<>();
      Thread gc = new Thread(() -> {
        while (!stop.get()) {
          for (RepoHandle h : vault.server.repositories().all()) {
            try {
              Map<String, Object> j = vault.server.maintenance().runNow(h, "gc");
              if (!"ok".equals(j.get("status"))) {
                synchronized (gcFailures) {
                  gcFailures.add(j.toString());
                }
              }
              gcRuns.incrementAndGet();
            } catch (Exception ex) {
              synchronized (gcFailures) {
                gcFailures.add(ex.toString());
              }
            }
          }
        }
      }, "gc-loop");
      gc.start();

      // snapshot id → expected contents, per agent
      Map<String, Map<String, String>> expected = new ConcurrentHashMap<>();
      Map<String, Agent> owner = new ConcurrentHashMap<>();
      ExecutorService pool = Executors.newFixedThreadPool(16);
      try {
        for (int round = 0; round < 2; round++) {
          int r = round;
          List<Future<String>> done = new ArrayList<>();
          for (Agent a : agents) {
            done.add(pool.submit(() -> {
              writeSource(a, r);
              Cli.Result b = a.run("--json", "backup", "--host", "agent" + a.n(), "--threads", "1",
                  a.source().toString());
              if (b.exit() != 0) {
                return "agent" + a.n() + " round " + r + ": " + b.err();
              }
              String id = Json.MAPPER.readTree(b.out()).path("snapshot").asText();
              expected.put(id, CrashTest.contents(a.source()));
              owner.put(id, a);
              return null;
            }));
          }
          for (Future<String> f : done) {
            assertThat(f.get()).isNull();
          }
        }
      } finally {
        pool.shutdown();
        stop.set(true);
        gc.join();
      }
      assertThat(gcFailures).isEmpty();
      assertThat(gcRuns.get()).isGreaterThan(3);
      assertThat(expected).hasSize(32);
      // Two final GC rounds so condemned data is swept, then everything must still be there.
      for (RepoHandle h : vault.server.repositories().all()) {
        vault.server.maintenance().runNow(h, "gc");
        vault.server.maintenance().runNow(h, "gc");
      }

      for (Map.Entry<String, Map<String, String>> e : expected.entrySet()) {
        Agent a = owner.get(e.getKey());
        Path target = tmp.resolve("restore-" + e.getKey().substring(0, 12));
        Cli.Result r = a.run("restore", e.getKey().substring(0, 12), "--target", target.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(CrashTest.contents(target.resolve(a.source().toString().substring(1))))
            .as("snapshot %s of agent %d", e.getKey(), a.n()).isEqualTo(e.getValue());
      }

      // Metering: each tenant's physical bytes are exactly its bytes on disk.
      String today = LocalDate.now(ZoneOffset.UTC).toString();
      for (String t : tenants) {
        Path raw = vault.data.resolve("repos/" + t + "/main");
        long onDisk = ServerFlowTest.repositoryBytesOnDisk(raw);
        JsonNode usage = vault.admin("GET", "/api/v1/tenants/" + t + "/usage?from=" + today + "&to=" + today, null);
        assertThat(usage.get(0).path("physicalBytes").asLong()).as("tenant %s", t).isEqualTo(onDisk);
        assertThat(usage.get(0).path("snapshots").asLong()).isEqualTo(agents.stream()
            .filter(a -> a.tenant().equals(t)).count() * 2);
        Cli.Result check = agents.get(tenants.indexOf(t)).cli().runAt(raw, "check", "--read-data");
        assertThat(check.exit()).as(check.out() + check.err()).isZero();
      }

      // No agent reaches another tenant's repository, with the CLI or with raw requests.
      for (Agent a : agents) {
        String other = tenants.get((tenants.indexOf(a.tenant()) + 1) % 3);
        Cli.Result r = a.cli().runAt(vault.repositoryUrl(other, "main"), "--credentials", a.credentials().toString(),
            "snapshots");
        assertThat(r.exit()).isNotZero();
        String token = Credentials.read(a.credentials()).path("repositories").path(a.url()).path("token").asText();
        try (HttpStore foreign = new HttpStore(vault.repositoryUrl(other, "main"), token, vault.fingerprint, w -> { })) {
          for (String prefix : List.of(StoreKeys.SNAPSHOTS, StoreKeys.DATA, StoreKeys.KEYS)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> foreign.list(prefix))
                .isInstanceOf(HttpStore.RefusedException.class)
                .satisfies(ex -> assertThat(((HttpStore.RefusedException) ex).status()).isEqualTo(404));
          }
          // The other tenant's config exists; the answer is "not found", exactly as if it did not.
          assertThat(vault.repository(other, "main").store().size(StoreKeys.CONFIG)).isPresent();
          org.assertj.core.api.Assertions.assertThatThrownBy(() -> foreign.get(StoreKeys.CONFIG))
              .isInstanceOf(io.cairn.format.ObjectNotFoundException.class);
        }
      }
    }
  }

  /** Each agent's own files plus files shared by all agents of its tenant (dedupe across machines). */
  static void writeSource(Agent a, int round) throws Exception {
    Path src = Files.createDirectories(a.source());
    Random own = new Random(a.n() * 100L + round);
    for (int i = 0; i < 3; i++) {
      byte[] b = new byte[150_000 + own.nextInt(100_000)];
      own.nextBytes(b);
      Files.write(src.resolve("own" + i + ".bin"), b);
    }
    Random shared = new Random(a.tenant().hashCode());
    byte[] common = new byte[400_000];
    shared.nextBytes(common);
    Files.write(src.resolve("shared.bin"), common);
    Files.writeString(src.resolve("round.txt"), "round " + round + " of agent " + a.n() + "\n");
  }
}
