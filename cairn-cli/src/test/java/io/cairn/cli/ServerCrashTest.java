package io.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cairn.format.Json;
import io.cairn.server.TestVault;
import io.cairn.server.VaultClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import io.cairn.store.CephRgw;

/**
 * The server is a real process and is killed with SIGKILL while agents upload and while garbage
 * collection runs, with its repositories in its data directory and in a Ceph RGW bucket. After a restart nothing committed is lost, the repositories check clean, and
 * the agents, which keep retrying, finish their backups.
 */
class ServerCrashTest {
  @TempDir Path tmp;
  Process server;
  int port;
  Path data;
  /** Settings of the server's storage: none for the data directory, a bucket's for "rgw". */
  Map<String, String> storage = Map.of();

  /** A repository as the test looks at it, behind the server's back. */
  interface Raw {
    /** Packs stored so far. */
    long packs();

    /** Bytes of all objects. */
    long bytes();

    /** The location for {@code cairn -r}. */
    String location();
  }

  /** The repository acme/main where the server keeps it: its data directory, or the RGW bucket. */
  Raw raw(String kind) {
    if (kind.equals("directory")) {
      Path repo = data.resolve("repos/acme/main");
      return new Raw() {
      @Override
      public long packs() {
          try {
            return packFiles(repo);
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }

      @Override
      public long bytes() {
          try {
            return ServerFlowTest.repositoryBytesOnDisk(repo);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }

      @Override
      public String location() {
          return repo.toString();
        }
      };
    }
    io.cairn.store.StoreLocation.Bucket b = io.cairn.store.StoreLocation.parse(storage.get("storage.location")) instanceof
        io.cairn.store.StoreLocation.Bucket bucket ? bucket.under("acme/main") : null;
    io.cairn.store.BlobStore store = io.cairn.store.Stores.open(b, CephRgw.shared().access(java.time.Duration.ofMinutes(1)));
    return new Raw() {
      @Override
      public long packs() {
        return store.list(io.cairn.store.StoreKeys.DATA).size();
      }

      @Override
      public long bytes() {
        return store.list("").stream().mapToLong(io.cairn.store.StoreEntry::size).sum();
      }

      @Override
      public String location() {
        return b.text();
      }
    };
  }

  @AfterEach
  void kill() {
    if (server != null) {
      server.destroyForcibly();
    }
    io.cairn.store.SdkKeys.clear();
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Tenant "acme" with repository "main" on the server {@code api} reaches, and an agent harness. */
  record Acme(VaultClient api, String url, Cli cli, Path dir) {
    /** Enrolls a machine into a credentials file of its own; returns the file. */
    Path enroll(String credentialsFile, String scope) {
      Path c = dir.resolve(credentialsFile);
      Cli.Result e = cli.runAt(url, "--credentials", c.toString(), "enroll", api.base, "--token",
          api.enrollmentToken("acme", "main", scope), "--fingerprint", api.fingerprint, "--name",
          credentialsFile.replace(".json", ""));
      assertThat(e.exit()).as(e.err()).isZero();
      return c;
    }

    void init(Path credentials) {
      Cli.Result r = cli.runAt(url, "--credentials", credentials.toString(), "init");
      assertThat(r.exit()).as(r.err()).isZero();
    }
  }

  Acme acme(VaultClient api) throws IOException {
    Files.writeString(tmp.resolve("password"), "tenant password\n");
    api.createTenant("acme", null, null);
    api.createRepository("acme", "main");
    Cli cli = new Cli(Files.createDirectories(tmp.resolve("agent")));
    Files.writeString(cli.passwordFile, "tenant password\n");
    return new Acme(api, api.repositoryUrl("acme", "main"), cli, tmp);
  }

  /** Starts `cairn server` and waits until it listens; returns the fingerprint it prints. */
  String startServer() throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--enable-native-access=ALL-UNNAMED", "-Xmx512m", "-Dcairn.server.argon2.memoryKiB=1024",
        "-cp", System.getProperty("java.class.path"), "io.cairn.cli.Main", "server", "--data", data.toString(),
        "--port", String.valueOf(port)));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    Map<String, String> settings = new java.util.HashMap<>(storage);
    settings.putAll(Map.of("jobs.gc.grace", "0s", "jobs.gc.fence-margin", "0s"));
    pb.environment().putAll(TestVault.testEnvironment(settings));
    pb.environment().put("CAIRN_ADMIN_PASSWORD", TestVault.ADMIN_PASSWORD);
    Path out = Files.createTempFile(tmp, "server", ".out");
    pb.redirectErrorStream(true).redirectOutput(out.toFile());
    server = pb.start();
    Pattern fp = Pattern.compile("certificate fingerprint: (sha256:[0-9a-f]{64})");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      String text = Files.readString(out);
      Matcher m = fp.matcher(text);
      if (text.contains("listening on") && m.find()) {
        return m.group(1);
      }
      if (!server.isAlive()) {
        throw new AssertionError("server exited: " + text);
      }
      Thread.sleep(100);
    }
    throw new AssertionError("server did not start: " + Files.readString(out));
  }

  void killServer() throws Exception {
    ProcessHandle h = server.toHandle();
    new ProcessBuilder("kill", "-9", String.valueOf(h.pid())).start().waitFor();
    assertThat(server.waitFor(10, TimeUnit.SECONDS)).isTrue();
  }

  /** A `cairn backup` process against the server, retrying for up to three minutes. */
  Process backup(Path credentials, String url, Path src, Path log) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--enable-native-access=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.fs=ALL-UNNAMED", "-Xmx512m",
        "-cp", System.getProperty("java.class.path"), "io.cairn.cli.Main", "--credentials", credentials.toString(),
        "--retry-for", "3m", "-r", url, "--password-file", tmp.resolve("password").toString(),
        "--cache-dir", tmp.resolve("cache-" + src.getFileName()).toString(), "--json", "backup", src.toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("CAIRN_KDF_MEMORY_KIB", "1024");
    return pb.start();
  }

  /** The snapshot id a `backup --json` process printed. */
  static String snapshotOf(Path log) throws IOException {
    for (String line : Files.readAllLines(log)) {
      if (line.startsWith("{") && line.contains("\"snapshot\"")) {
        return Json.MAPPER.readTree(line).path("snapshot").asText().substring(0, 16);
      }
    }
    throw new AssertionError("no snapshot in " + Files.readString(log));
  }

  static void randomFiles(Path dir, long seed, int files, int size) throws IOException {
    Files.createDirectories(dir);
    Random r = new Random(seed);
    for (int i = 0; i < files; i++) {
      byte[] b = new byte[size];
      r.nextBytes(b);
      Files.write(dir.resolve("f" + i), b);
    }
  }

  static long packFiles(Path repo) throws IOException {
    Path d = repo.resolve("data");
    if (!Files.exists(d)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(d)) {
      return s.filter(Files::isRegularFile).count();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"directory", "rgw"})
  void killedDuringUploadsAndDuringGarbageCollectionLosesNothing(String kind) throws Exception {
    data = tmp.resolve("vault");
    port = freePort();
    if (kind.equals("rgw")) {
      CephRgw rgw = CephRgw.shared();
      storage = Map.of("storage.location", rgw.newLocation("crash", "vault").text(),
          "storage.s3.access-key-id", CephRgw.ACCESS_KEY, "storage.s3.secret-access-key", CephRgw.SECRET_KEY);
      io.cairn.store.SdkKeys.set(CephRgw.ACCESS_KEY, CephRgw.SECRET_KEY);
    }
    Raw raw;
    String fingerprint = startServer();
    Acme acme = acme(new VaultClient("https://localhost:" + port, fingerprint));
    VaultClient api = acme.api();
    String url = acme.url();
    Cli cli = acme.cli();
    List<Path> creds = List.of(acme.enroll("credentials0.json", "append"), acme.enroll("credentials1.json", "append"));
    acme.init(creds.get(0));

    // 1. SIGKILL while two agents upload 32 MiB each.
    raw = raw(kind);
    List<Path> sources = List.of(tmp.resolve("srcA"), tmp.resolve("srcB"));
    for (int i = 0; i < 2; i++) {
      randomFiles(sources.get(i), 100 + i, 8, 4 << 20);
    }
    List<Process> agents = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      agents.add(backup(creds.get(i), url, sources.get(i), tmp.resolve("backup" + i + ".log")));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (raw.packs() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(raw.packs()).as("packs arrived before the kill").isGreaterThanOrEqualTo(2);
    killServer();
    assertThat(agents).allMatch(Process::isAlive); // mid-upload: the agents are still at work
    Thread.sleep(2000);
    // The restarted server keeps its certificate: the agents' pin still holds.
    assertThat(startServer()).isEqualTo(fingerprint);
    for (int i = 0; i < 2; i++) {
      assertThat(agents.get(i).waitFor(180, TimeUnit.SECONDS)).isTrue();
      assertThat(agents.get(i).exitValue()).as(Files.readString(tmp.resolve("backup" + i + ".log"))).isZero();
    }
    for (int i = 0; i < 2; i++) {
      Path target = tmp.resolve("restore" + i);
      Cli.Result r = cli.runAt(url, "--credentials", creds.get(0).toString(), "restore",
          snapshotOf(tmp.resolve("backup" + i + ".log")), "--target", target.toString());
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(CrashTest.contents(target.resolve(sources.get(i).toString().substring(1))))
          .isEqualTo(CrashTest.contents(sources.get(i)));
    }
    // Nothing was stored twice: the retried pack uploads were recognised, not duplicated.
    long stored = raw.bytes();
    assertThat(stored).isLessThan((long) (2 * 32 * (1 << 20) * 1.05));

    // 2. SIGKILL during retention + GC, at different moments, with an agent backing up meanwhile.
    api.admin("PATCH", "/api/v1/tenants/acme/repos/main", Map.of("retention", Map.of("keepLast", 1)));
    Random rnd = new Random(7);
    for (int round = 0; round < 4; round++) {
      randomFiles(sources.get(0), 200 + round, 6, 1 << 20);
      Process agent = backup(creds.get(0), url, sources.get(0), tmp.resolve("gc-backup" + round + ".log"));
      api.admin("POST", "/api/v1/tenants/acme/repos/main/jobs", Map.of("kind", "retention"));
      api.admin("POST", "/api/v1/tenants/acme/repos/main/jobs", Map.of("kind", "gc"));
      Thread.sleep(rnd.nextInt(600));
      killServer();
      Thread.sleep(500);
      assertThat(startServer()).isEqualTo(fingerprint);
      assertThat(agent.waitFor(180, TimeUnit.SECONDS)).isTrue();
      assertThat(agent.exitValue()).as(Files.readString(tmp.resolve("gc-backup" + round + ".log"))).isZero();
      Cli.Result check = cli.runAt(raw.location(), "check", "--read-data");
      assertThat(check.exit()).as("round " + round + ": " + check.out() + check.err()).isZero();
      Path target = tmp.resolve("gc-restore" + round);
      Cli.Result r = cli.runAt(url, "--credentials", creds.get(0).toString(), "restore",
          snapshotOf(tmp.resolve("gc-backup" + round + ".log")), "--target", target.toString());
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(CrashTest.contents(target.resolve(sources.get(0).toString().substring(1))))
          .isEqualTo(CrashTest.contents(sources.get(0)));
    }
    // Jobs cut off by a kill are reported as interrupted, never left "running".
    JsonNode jobs = api.admin("GET", "/api/v1/jobs", null);
    for (JsonNode j : jobs) {
      assertThat(j.path("status").asText()).isNotIn("running", "queued");
    }
    // A full GC after all that still leaves a clean repository with every kept snapshot.
    api.admin("POST", "/api/v1/tenants/acme/repos/main/jobs", Map.of("kind", "gc"));
    JsonNode last = null;
    for (int i = 0; i < 200; i++) {
      last = api.admin("GET", "/api/v1/jobs", null).get(0);
      if (!List.of("running", "queued").contains(last.path("status").asText())) {
        break;
      }
      Thread.sleep(100);
    }
    assertThat(last.path("status").asText()).as(last.toString()).isEqualTo("ok");
    Cli.Result check = cli.runAt(raw.location(), "check", "--read-data");
    assertThat(check.exit()).as(check.out() + check.err()).isZero();
    JsonNode snaps = Json.MAPPER.readTree(cli.runAt(url, "--credentials", creds.get(0).toString(), "--json",
        "snapshots").out());
    assertThat(snaps.size()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void sigtermStopsCleanlyAndTheAgentFinishesAfterTheRestart() throws Exception {
    data = tmp.resolve("vault");
    port = freePort();
    Acme acme = acme(new VaultClient("https://localhost:" + port, startServer()));
    String url = acme.url();
    Cli cli = acme.cli();
    Path creds = acme.enroll("credentials.json", "append");
    acme.init(creds);
    Path src = tmp.resolve("src");
    randomFiles(src, 5, 8, 4 << 20);
    Path repo = data.resolve("repos/acme/main");
    Process agent = backup(creds, url, src, tmp.resolve("backup.log"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (packFiles(repo) < 1 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    new ProcessBuilder("kill", "-TERM", String.valueOf(server.pid())).start().waitFor();
    assertThat(server.waitFor(30, TimeUnit.SECONDS)).as("stopped within the shutdown grace").isTrue();
    // Nothing half-written is visible: every stored object is whole (the keyless check reads them all).
    Cli.Result check = cli.runAt(repo, "check", "--read-data");
    assertThat(check.exit()).as(check.out() + check.err()).isZero();
    startServer();
    assertThat(agent.waitFor(180, TimeUnit.SECONDS)).isTrue();
    assertThat(agent.exitValue()).as(Files.readString(tmp.resolve("backup.log"))).isZero();
    Path target = tmp.resolve("restore");
    Cli.Result r = cli.runAt(url, "--credentials", creds.toString(), "restore", snapshotOf(tmp.resolve("backup.log")),
        "--target", target.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(CrashTest.contents(target.resolve(src.toString().substring(1)))).isEqualTo(CrashTest.contents(src));
  }

  @Test
  void aKilledWriteOnlyAgentResumesWithoutSendingAgainWhatArrived() throws Exception {
    try (TestVault vault = TestVault.start(tmp.resolve("vault"))) {
      Acme acme = acme(vault);
      String url = acme.url();
      Cli cli = acme.cli();
      Path admin = acme.enroll("admin-credentials.json", "append");
      acme.init(admin);
      Path creds = acme.enroll("laptop-credentials.json", "write-only");

      Path src = tmp.resolve("src");
      randomFiles(src, 9, 12, 4 << 20);
      Path repo = vault.data.resolve("repos/acme/main");
      Process first = backup(creds, url, src, tmp.resolve("first.log"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (packFiles(repo) < 2 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      new ProcessBuilder("kill", "-9", String.valueOf(first.pid())).start().waitFor();
      first.waitFor(10, TimeUnit.SECONDS);
      long arrived = ServerFlowTest.repositoryBytesOnDisk(repo.resolve("data"));
      assertThat(arrived).as("packs stored before the kill").isGreaterThan(8L << 20);

      Process second = backup(creds, url, src, tmp.resolve("second.log"));
      assertThat(second.waitFor(180, TimeUnit.SECONDS)).isTrue();
      assertThat(second.exitValue()).as(Files.readString(tmp.resolve("second.log"))).isZero();
      // The packs of the killed run were adopted from their headers, not uploaded again.
      long total = ServerFlowTest.repositoryBytesOnDisk(repo.resolve("data"));
      assertThat(total).isLessThan((long) (48L * (1 << 20) * 1.05));

      Path target = tmp.resolve("restore");
      Cli.Result r = cli.runAt(url, "--credentials", admin.toString(), "restore", snapshotOf(tmp.resolve("second.log")),
          "--target", target.toString());
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(CrashTest.contents(target.resolve(src.toString().substring(1)))).isEqualTo(CrashTest.contents(src));
    }
  }
}
