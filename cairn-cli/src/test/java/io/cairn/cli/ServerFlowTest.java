package io.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cairn.format.Json;
import io.cairn.server.TestVault;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent against a real vault server, through the CLI exactly as a user runs it: enroll,
 * init, backup, restore, the scopes, quotas, metering, and the server's own retention and GC.
 */
class ServerFlowTest {
  @TempDir Path tmp;
  TestVault vault;
  Cli cli;
  Path credentials;
  String url;

  @BeforeEach
  void start() throws Exception {
    vault = TestVault.start(tmp.resolve("vault"), 0, Map.of("jobs.gc.grace", "0s", "jobs.gc.fence-margin", "0s"));
    vault.createTenant("acme", null, null);
    vault.createRepository("acme", "laptops");
    cli = new Cli(Files.createDirectories(tmp.resolve("agent")));
    credentials = tmp.resolve("agent/credentials.json");
    url = vault.repositoryUrl("acme", "laptops");
  }

  @AfterEach
  void stop() {
    vault.close();
  }

  Cli.Result run(String... args) {
    String[] all = Stream.concat(Stream.of("--credentials", credentials.toString()), Stream.of(args))
        .toArray(String[]::new);
    return cli.runAt(url, all);
  }

  Cli.Result enroll(String scope, String name) {
    String token = vault.enrollmentToken("acme", "laptops", scope);
    return run("enroll", vault.base, "--token", token, "--fingerprint", vault.fingerprint, "--name", name);
  }

  static Path tree(Path root, long seed, int files, int size) throws Exception {
    Random r = new Random(seed);
    Files.createDirectories(root.resolve("docs"));
    for (int i = 0; i < files; i++) {
      byte[] b = new byte[size + r.nextInt(size)];
      r.nextBytes(b);
      Files.write(root.resolve("docs/f" + i + ".bin"), b);
    }
    Files.writeString(root.resolve("readme.txt"), "hello from " + seed + "\n".repeat(1000));
    Files.writeString(root.resolve("docs/copy.txt"), "hello from " + seed + "\n".repeat(1000));
    return root;
  }

  static long repositoryBytesOnDisk(Path repoDir) throws Exception {
    try (Stream<Path> s = Files.walk(repoDir)) {
      return s.filter(Files::isRegularFile).filter(p -> !repoDir.relativize(p).startsWith(".tmp"))
          .mapToLong(p -> p.toFile().length()).sum();
    }
  }

  @Test
  void backupAndRestoreGoThroughTheServerAndTheRepositoryStaysSelfContained() throws Exception {
    Cli.Result e = enroll("append", "laptop1");
    assertThat(e.exit()).as(e.err()).isZero();
    assertThat(e.out()).contains("scope append").contains(url);
    assertThat(run("init").exit()).isZero();
    Path src = tree(tmp.resolve("src"), 1, 12, 100_000);
    Cli.Result b = run("--json", "backup", src.toString());
    assertThat(b.exit()).as(b.err()).isZero();
    JsonNode snap = Json.MAPPER.readTree(b.out());

    Cli.Result r = run("restore", "latest", "--target", tmp.resolve("out").toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(CrashTest.contents(tmp.resolve("out").resolve(src.toString().substring(1))))
        .isEqualTo(CrashTest.contents(src));

    // The server knows the snapshot from its plaintext envelope, without the key.
    JsonNode listed = vault.admin("GET", "/api/v1/tenants/acme/repos/laptops/snapshots", null);
    assertThat(listed).hasSize(1);
    assertThat(listed.get(0).path("id").asText()).isEqualTo(snap.path("snapshot").asText());
    assertThat(listed.get(0).path("logicalBytes").asLong())
        .isEqualTo(snap.path("summary").path("logicalBytes").asLong());
    assertThat(listed.get(0).path("agentId").asLong()).isPositive();

    // Principle 1: the raw directory is a complete repository without the server.
    Path raw = vault.data.resolve("repos/acme/laptops");
    Cli.Result direct = cli.runAt(raw, "restore", "latest", "--target", tmp.resolve("direct").toString());
    assertThat(direct.exit()).as(direct.err()).isZero();
    assertThat(CrashTest.contents(tmp.resolve("direct").resolve(src.toString().substring(1))))
        .isEqualTo(CrashTest.contents(src));
  }

  /**
   * A second backup reads the first one's trees from the server while it walks many directories
   * in parallel; it once failed there ("BufferOverflowException") when a request's wait ran
   * another directory's task on the same thread.
   */
  @Test
  void aSecondBackupOfManyDirectoriesReadsTheFirstOnesTrees() throws Exception {
    assertThat(enroll("append", "laptop1").exit()).isZero();
    assertThat(run("init").exit()).isZero();
    Path src = tmp.resolve("many");
    for (int d = 0; d < 400; d++) {
      Path dir = Files.createDirectories(src.resolve("d" + (d % 20)).resolve("e" + d));
      Files.writeString(dir.resolve("a.txt"), "file a of " + d + "\n");
      Files.writeString(dir.resolve("b.txt"), "file b of " + d + "\n".repeat(d));
    }
    assertThat(run("backup", src.toString()).exit()).isZero();

    Cli.Result again = run("--json", "backup", src.toString());

    assertThat(again.exit()).as(again.err()).isZero();
    JsonNode summary = Json.MAPPER.readTree(again.out()).path("summary");
    assertThat(summary.path("unchangedFiles").asLong()).as(again.out()).isEqualTo(800);
  }

  /**
   * A revoked machine is told who did what and what to do, and enrolling it again under its
   * name brings back its row instead of adding a second one.
   */
  @Test
  void aRevokedMachineIsToldSoAndComesBackUnderItsName() throws Exception {
    assertThat(enroll("append", "laptop1").exit()).isZero();
    assertThat(run("init").exit()).isZero();
    Path src = tree(tmp.resolve("src"), 5, 3, 1000);
    assertThat(run("backup", src.toString()).exit()).isZero();
    JsonNode agents = vault.admin("GET", "/api/v1/tenants/acme/agents", null);
    long id = agents.get(0).path("id").asLong();
    assertThat(vault.call("DELETE", "/api/v1/tenants/acme/agents/" + id, vault.adminToken(), null).status())
        .isEqualTo(204);

    Cli.Result refused = run("backup", src.toString());

    assertThat(refused.exit()).isNotZero();
    assertThat(refused.err()).contains("an administrator revoked this machine's credential")
        .contains("laptop1").contains("cairn enroll");
    // A token the server does not know is refused: an error (1), not a usage mistake (2).
    Cli.Result bogus = run("enroll", vault.base, "--token", "cairn_enroll_bogus", "--fingerprint", vault.fingerprint,
        "--name", "laptop1");
    assertThat(bogus.exit()).as(bogus.err()).isEqualTo(ExitCodes.ERROR);
    assertThat(bogus.err()).contains("the server refused the enrollment");
    Cli.Result again = enroll("append", "laptop1");
    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(run("backup", src.toString()).exit()).isZero();
    JsonNode after = vault.admin("GET", "/api/v1/tenants/acme/agents", null);
    assertThat(after).hasSize(1);
    assertThat(after.get(0).path("id").asLong()).isEqualTo(id);
    assertThat(after.get(0).path("revokedAt").isNull()).as(after.toString()).isTrue();
  }

  @Test
  void scopesDecideWhatEachMachineMayDo() throws Exception {
    assertThat(enroll("append", "laptop1").exit()).isZero();
    assertThat(run("init").exit()).isZero();
    Path src = tree(tmp.resolve("src"), 2, 4, 50_000);
    assertThat(run("backup", src.toString()).exit()).isZero();

    // Agents never delete: retention and GC are the server's.
    Cli.Result forget = run("forget", "--keep-last", "1");
    assertThat(forget.exit()).isNotZero();
    assertThat(forget.err()).contains("run by the server");
    Cli.Result dry = run("forget", "--keep-last", "1", "--dry-run");
    assertThat(dry.exit()).as(dry.err()).isZero();
    Cli.Result prune = run("prune");
    assertThat(prune.exit()).isNotZero();
    assertThat(prune.err()).contains("run by the server");

    // Write-only: can back up (a second time, with change detection reading trees), cannot restore.
    assertThat(enroll("write-only", "laptop1").exit()).isZero();
    Files.writeString(src.resolve("new.txt"), "more\n");
    Cli.Result wb = run("--json", "backup", src.toString());
    assertThat(wb.exit()).as(wb.err()).isZero();
    assertThat(Json.MAPPER.readTree(wb.out()).path("summary").path("unchangedFiles").asLong()).isPositive();
    Cli.Result wr = run("restore", "latest", "--target", tmp.resolve("w").toString());
    assertThat(wr.exit()).isNotZero();
    assertThat(wr.err()).contains("write-only");

    // Restore: can read everything, cannot write.
    assertThat(enroll("restore", "laptop1").exit()).isZero();
    Cli.Result rr = run("restore", "latest", "--target", tmp.resolve("r").toString());
    assertThat(rr.exit()).as(rr.err()).isZero();
    assertThat(CrashTest.contents(tmp.resolve("r").resolve(src.toString().substring(1))))
        .isEqualTo(CrashTest.contents(src));
    Cli.Result rb = run("backup", src.toString());
    assertThat(rb.exit()).isNotZero();
    assertThat(rb.err()).contains("scope 'restore'");
  }

  @Test
  void aFullQuotaRefusesNewDataClearlyAndLosesNothing() throws Exception {
    vault.admin("PATCH", "/api/v1/tenants/acme", Map.of("softQuotaBytes", 300_000, "hardQuotaBytes", 1_500_000));
    assertThat(enroll("append", "laptop1").exit()).isZero();
    assertThat(run("init").exit()).isZero();
    Path small = tree(tmp.resolve("small"), 3, 4, 50_000);
    Cli.Result b1 = run("backup", small.toString());
    assertThat(b1.exit()).as(b1.err()).isZero();
    assertThat(b1.err()).contains("warning from the server").contains("soft storage quota");
    assertThat(b1.err().split("warning from the server", -1)).as("the warning is printed once").hasSize(2);

    Path big = tree(tmp.resolve("big"), 4, 10, 300_000);
    ch.qos.logback.classic.Logger refusalLog =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.cairn.server.Refusals");
    var logged = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
    logged.start();
    refusalLog.addAppender(logged);
    Cli.Result b2;
    try {
      b2 = run("backup", big.toString());
    } finally {
      refusalLog.detachAppender(logged);
    }
    assertThat(b2.exit()).isEqualTo(1);
    assertThat(b2.err()).contains("quota is full").contains("nothing already stored was lost");

    // The refusal is on the server too: the machine's state, the provider's dashboard, the tenant's
    // audit log and one line of the server's log (not one per refused upload).
    JsonNode machine = vault.admin("GET", "/api/v1/tenants/acme/machines", null).get(0);
    assertThat(machine.path("state").asText()).isEqualTo("refused");
    assertThat(machine.path("lastRefusal").path("code").asText()).isEqualTo("quota_exceeded");
    assertThat(machine.path("lastRefusal").path("message").asText()).contains("quota is full");
    assertThat(vault.admin("GET", "/api/v1/dashboard", null).path("alerts").toString())
        .contains("backup_refused").contains("machine laptop1");
    JsonNode audit = vault.admin("GET", "/api/v1/tenants/acme/audit", null);
    assertThat(audit.findValuesAsText("action").stream().filter("agent.refused"::equals)).hasSize(1);
    assertThat(logged.list).hasSize(1);
    assertThat(logged.list.get(0).getFormattedMessage()).contains("laptop1").contains("quota_exceeded");

    Cli.Result snaps = run("--json", "snapshots");
    assertThat(Json.MAPPER.readTree(snaps.out())).hasSize(1);
    Cli.Result r = run("restore", "latest", "--target", tmp.resolve("out").toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(CrashTest.contents(tmp.resolve("out").resolve(small.toString().substring(1))))
        .isEqualTo(CrashTest.contents(small));
    Path raw = vault.data.resolve("repos/acme/laptops");
    Cli.Result check = cli.runAt(raw, "check", "--read-data");
    assertThat(check.exit()).as(check.out() + check.err()).isZero();

    // With room again, the next backup is stored and the machine is ok.
    vault.admin("PATCH", "/api/v1/tenants/acme", Map.of("hardQuotaBytes", 100_000_000, "softQuotaBytes", 100_000_000));
    Cli.Result b3 = run("backup", big.toString());
    assertThat(b3.exit()).as(b3.err()).isZero();
    JsonNode after = vault.admin("GET", "/api/v1/tenants/acme/machines", null).get(0);
    assertThat(after.path("state").asText()).isEqualTo("ok");
    assertThat(after.path("lastRefusal").isNull()).isTrue();
  }

  @Test
  void meteringIsWhatIsOnDisk() throws Exception {
    assertThat(enroll("append", "laptop1").exit()).isZero();
    assertThat(run("init").exit()).isZero();
    Path src = tree(tmp.resolve("src"), 5, 6, 80_000);
    assertThat(run("backup", src.toString()).exit()).isZero();
    Files.writeString(src.resolve("later.txt"), "x".repeat(10_000));
    assertThat(run("backup", src.toString()).exit()).isZero();
    assertThat(run("restore", "latest", "--target", tmp.resolve("out").toString()).exit()).isZero();

    long onDisk = repositoryBytesOnDisk(vault.data.resolve("repos/acme/laptops"));
    String today = LocalDate.now(ZoneOffset.UTC).toString();
    JsonNode usage = vault.admin("GET", "/api/v1/tenants/acme/usage?from=" + today + "&to=" + today, null);
    assertThat(usage).hasSize(1);
    JsonNode day = usage.get(0);
    assertThat(day.path("physicalBytes").asLong()).isEqualTo(onDisk);
    assertThat(day.path("snapshots").asLong()).isEqualTo(2);
    assertThat(day.path("snapshotsCreated").asLong()).isEqualTo(2);
    assertThat(day.path("ingressBytes").asLong()).isGreaterThanOrEqualTo(onDisk);
    assertThat(day.path("egressBytes").asLong()).isPositive();
    assertThat(day.path("logicalBytes").asLong()).isGreaterThan(2 * 6 * 80_000L);

    TestVault.Response csv = vault.call("GET", "/api/v1/usage?format=csv&from=" + today + "&to=" + today,
        vault.adminToken(), null);
    assertThat(csv.text()).startsWith("tenant,day,physical_bytes").contains("acme," + today + "," + onDisk + ",");

    TestVault.Response metrics = vault.call("GET", "/metrics", vault.adminToken(), null);
    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.text()).containsPattern("cairn_physical_bytes\\{tenant=\"acme\"\\} " + onDisk + "(\\.0)?\\b");
  }

  @Test
  void theServerRunsRetentionAndGarbageCollectionWithoutTheKey() throws Exception {
    vault.admin("PATCH", "/api/v1/tenants/acme/repos/laptops", Map.of("retention", Map.of("keepLast", 1)));
    assertThat(enroll("append", "laptop1").exit()).isZero();
    assertThat(run("init").exit()).isZero();
    Path src = tmp.resolve("src");
    for (int i = 0; i < 3; i++) {
      // The same folder with new contents each time: one retention group.
      tree(src, 10 + i, 4, 100_000);
      assertThat(run("backup", src.toString()).exit()).isZero();
    }
    Path raw = vault.data.resolve("repos/acme/laptops");
    long before = repositoryBytesOnDisk(raw);
    var h = vault.repository("acme", "laptops");
    Map<String, Object> retention = vault.server.maintenance().runNow(h, "retention");
    assertThat(retention.get("status")).as(retention.toString()).isEqualTo("ok");
    assertThat((String) retention.get("summary")).contains("\"forgotten\":2");
    // An operator's prune on the repository's directory holds it: the server's collection waits.
    try (var operator = io.cairn.maintenance.RepositoryLock.acquire(new io.cairn.store.FileSystemStore(raw), "prune",
        "operator-box", java.time.Clock.systemUTC())) {
      Map<String, Object> refused = vault.server.maintenance().runNow(h, "gc");
      assertThat(refused.get("status")).as(refused.toString()).isEqualTo("failed");
      assertThat((String) refused.get("error")).contains("another prune is running on this repository")
          .contains("operator-box");
    }
    for (int i = 0; i < 2; i++) { // condemn, then sweep
      Map<String, Object> gc = vault.server.maintenance().runNow(h, "gc");
      assertThat(gc.get("status")).as(gc.toString()).isEqualTo("ok");
    }
    assertThat(io.cairn.maintenance.RepositoryLock.list(new io.cairn.store.FileSystemStore(raw))).isEmpty();
    long after = repositoryBytesOnDisk(raw);
    assertThat(after).isLessThan(before / 2);
    assertThat(h.physicalBytes()).isEqualTo(after);
    Map<String, Object> scrub = vault.server.maintenance().runNow(h, "scrub");
    assertThat(scrub.get("status")).as(scrub.toString()).isEqualTo("ok");

    Cli.Result r = run("restore", "latest", "--target", tmp.resolve("out").toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(CrashTest.contents(tmp.resolve("out").resolve(src.toString().substring(1))))
        .isEqualTo(CrashTest.contents(src));
    JsonNode jobs = vault.admin("GET", "/api/v1/tenants/acme/jobs", null);
    assertThat(jobs).hasSize(5);
    assertThat(List.of(jobs.get(0).path("kind").asText(), jobs.get(4).path("kind").asText()))
        .containsExactly("scrub", "retention");
  }

  /**
   * A killed agent's session marker holds collection back only until the agent has been idle for
   * jobs.gc.session-idle (6 h), not for the markers' 48-hour limit; a session that comes back after
   * the server ended it cannot write, and the machine's next backup starts a new one.
   */
  @Test
  void theServerEndsTheSessionOfAnAgentThatWentAwaySoCollectionGoesOn() throws Exception {
    vault.admin("PATCH", "/api/v1/tenants/acme/repos/laptops", Map.of("retention", Map.of("keepLast", 1)));
    assertThat(enroll("append", "laptop1").exit()).isZero();
    assertThat(run("init").exit()).isZero();
    Path src = tmp.resolve("src");
    for (int i = 0; i < 3; i++) {
      tree(src, 30 + i, 4, 100_000);
      assertThat(run("backup", src.toString()).exit()).isZero();
    }
    // A backup that was killed: its marker stays, and the machine makes no request after it.
    Credentials.Entry c = Credentials.forRepository(credentials, url);
    String marker = "sessions/" + "5e".repeat(32);
    try (io.cairn.store.HttpStore agent = new io.cairn.store.HttpStore(url, c.token(), c.fingerprint(), w -> { })) {
      assertThat(agent.putIfAbsent(marker, new io.cairn.format.SessionMarker(java.time.Instant.now(), "laptop1", 4242)
          .encode())).isTrue();
    }
    Path raw = vault.data.resolve("repos/acme/laptops");
    long before = repositoryBytesOnDisk(raw);
    var h = vault.repository("acme", "laptops");
    assertThat(vault.server.maintenance().runNow(h, "retention").get("status")).isEqualTo("ok");
    for (int i = 0; i < 2; i++) {
      Map<String, Object> gc = vault.server.maintenance().runNow(h, "gc");
      assertThat((String) gc.get("summary")).doesNotContain("expiredSessions");
    }
    assertThat(repositoryBytesOnDisk(raw)).as("the live marker holds collection back").isGreaterThan(before * 3 / 4);

    // Seven hours without a request from the machine.
    vault.server.database().jdbi().useHandle(hd -> hd.createUpdate("UPDATE agents SET last_seen_at = ?")
        .bind(0, java.time.Instant.now().minus(java.time.Duration.ofHours(7)).toString()).execute());
    Map<String, Object> gc = vault.server.maintenance().runNow(h, "gc");
    assertThat((String) gc.get("summary")).contains("expiredSessions").contains(marker);
    assertThat(Files.exists(raw.resolve(marker))).isFalse();
    vault.server.maintenance().runNow(h, "gc");
    assertThat(repositoryBytesOnDisk(raw)).as("collection went on").isLessThan(before / 2);
    assertThat(vault.admin("GET", "/api/v1/tenants/acme/audit", null).findValuesAsText("action"))
        .contains("session.expire");

    // The old session comes back: it may not write, and says why.
    try (io.cairn.store.HttpStore agent = new io.cairn.store.HttpStore(url, c.token(), c.fingerprint(), w -> { })) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> agent.putIfAbsent("index/" + "ab".repeat(32),
          new byte[100])).hasMessageContaining("ended this machine's write session")
          .hasMessageContaining("Run the backup again");
    }
    assertThat(vault.admin("GET", "/api/v1/tenants/acme/machines", null).get(0).path("lastRefusal").path("code")
        .asText()).isEqualTo("session_expired");
    // The machine's next backup starts a new session and is stored.
    tree(src, 40, 4, 100_000);
    Cli.Result again = run("backup", src.toString());
    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(vault.admin("GET", "/api/v1/tenants/acme/machines", null).get(0).path("state").asText())
        .isEqualTo("ok");
    Cli.Result r = run("restore", "latest", "--target", tmp.resolve("out").toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(CrashTest.contents(tmp.resolve("out").resolve(src.toString().substring(1))))
        .isEqualTo(CrashTest.contents(src));
  }

  @Test
  void immutabilityHoldsAgainstRetentionAndCannotBeShortened() throws Exception {
    vault.admin("PATCH", "/api/v1/tenants/acme/repos/laptops", Map.of("retention", Map.of("keepLast", 1)));
    assertThat(enroll("append", "laptop1").exit()).isZero();
    assertThat(run("init").exit()).isZero();
    Path src = tmp.resolve("src");
    tree(src, 20, 2, 10_000);
    Cli.Result locked = run("--json", "backup", "--lock-for", "30d", src.toString());
    assertThat(locked.exit()).as(locked.err()).isZero();
    tree(src, 21, 2, 10_000);
    assertThat(run("backup", src.toString()).exit()).isZero();
    tree(src, 22, 2, 10_000);
    assertThat(run("backup", src.toString()).exit()).isZero();

    var h = vault.repository("acme", "laptops");
    Map<String, Object> job = vault.server.maintenance().runNow(h, "retention");
    // The planner itself keeps the locked snapshot; the unlocked older one goes.
    assertThat((String) job.get("summary")).contains("\"forgotten\":1");
    JsonNode left = vault.admin("GET", "/api/v1/tenants/acme/repos/laptops/snapshots", null);
    assertThat(left).hasSize(2);
    String lockedId = Json.MAPPER.readTree(locked.out()).path("snapshot").asText();
    assertThat(left.findValuesAsText("id")).contains(lockedId);

    // A repository-wide window: everything younger stays, and the window only grows.
    vault.admin("PATCH", "/api/v1/tenants/acme/repos/laptops", Map.of("immutabilityDays", 7));
    tree(src, 23, 2, 10_000);
    assertThat(run("backup", src.toString()).exit()).isZero();
    Map<String, Object> again = vault.server.maintenance().runNow(h, "retention");
    assertThat((String) again.get("summary")).contains("\"forgotten\":0").contains("\"keptByImmutability\":1");
    TestVault.Response shorten = vault.call("PATCH", "/api/v1/tenants/acme/repos/laptops", vault.adminToken(),
        Map.of("immutabilityDays", 1));
    assertThat(shorten.status()).isEqualTo(409);
    assertThat(shorten.json().path("message").asText()).contains("can only be lengthened");
  }

  @Test
  void scrubReportsBitRotAndTheAuditLogRecordsIt() throws Exception {
    assertThat(enroll("append", "laptop1").exit()).isZero();
    assertThat(run("init").exit()).isZero();
    assertThat(run("backup", tree(tmp.resolve("src"), 30, 3, 60_000).toString()).exit()).isZero();
    var h = vault.repository("acme", "laptops");
    assertThat(vault.server.maintenance().runNow(h, "scrub").get("status")).isEqualTo("ok");

    Path pack;
    try (Stream<Path> s = Files.walk(vault.data.resolve("repos/acme/laptops/data"))) {
      pack = s.filter(Files::isRegularFile).max(java.util.Comparator.comparingLong(p -> p.toFile().length()))
          .orElseThrow();
    }
    byte[] b = Files.readAllBytes(pack);
    b[b.length / 2] ^= 0x10;
    Files.write(pack, b);
    Map<String, Object> scrub = vault.server.maintenance().runNow(h, "scrub");
    assertThat(scrub.get("status")).isEqualTo("problems");
    assertThat((String) scrub.get("summary")).contains(pack.getFileName().toString().substring(0, 8));

    JsonNode audit = vault.admin("GET", "/api/v1/audit", null);
    List<String> actions = audit.findValuesAsText("action");
    assertThat(actions).contains("job.scrub.problems", "agent.enroll", "enrollment.create", "repository.create",
        "tenant.create");
    JsonNode enrollment = audit.get(actions.indexOf("enrollment.create"));
    assertThat(enrollment.path("actor").asText()).isEqualTo("admin");
    assertThat(enrollment.path("remoteAddr").asText()).isEqualTo("127.0.0.1");
    assertThat(enrollment.path("at").asText()).startsWith(LocalDate.now(ZoneOffset.UTC).toString());
    JsonNode filtered = vault.admin("GET", "/api/v1/audit?action=job.", null);
    assertThat(filtered.findValuesAsText("action")).allMatch(a -> a.startsWith("job."));

    // Append-only below the API too: the database refuses to change or remove audit rows.
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> vault.server.database().jdbi().useHandle(
        hd -> hd.execute("UPDATE audit_log SET actor_name = 'someone else'"))).hasMessageContaining("append-only");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> vault.server.database().jdbi().useHandle(
        hd -> hd.execute("DELETE FROM audit_log"))).hasMessageContaining("append-only");
  }

  @Test
  void aLostServerDatabaseLosesNoBackup() throws Exception {
    assertThat(enroll("append", "laptop1").exit()).isZero();
    assertThat(run("init").exit()).isZero();
    Path src = tree(tmp.resolve("src"), 40, 4, 60_000);
    Cli.Result b = run("--json", "backup", src.toString());
    assertThat(b.exit()).as(b.err()).isZero();
    JsonNode snap = Json.MAPPER.readTree(b.out());

    // docs/server.md, "Backing up the server": without cairn.db, recreating the tenant and the
    // repository with the same names finds the data again.
    Path data = vault.data;
    vault.close();
    for (String f : List.of("cairn.db", "cairn.db-wal", "cairn.db-shm")) {
      Files.deleteIfExists(data.resolve(f));
    }
    // A stray file among the snapshots (an operator's note, say) must not stop the server.
    Files.writeString(data.resolve("repos/acme/laptops/snapshots/readme"), "copied from the old server\n");
    vault = TestVault.start(data, 0, Map.of());
    vault.createTenant("acme", null, null);
    vault.createRepository("acme", "laptops");
    JsonNode listed = vault.admin("GET", "/api/v1/tenants/acme/repos/laptops/snapshots", null);
    assertThat(listed).hasSize(1);
    assertThat(listed.get(0).path("id").asText()).isEqualTo(snap.path("snapshot").asText());
    assertThat(listed.get(0).path("logicalBytes").asLong())
        .isEqualTo(snap.path("summary").path("logicalBytes").asLong());
    assertThat(vault.admin("GET", "/api/v1/tenants/acme", null).path("physicalBytes").asLong())
        .isEqualTo(repositoryBytesOnDisk(data.resolve("repos/acme/laptops")));

    url = vault.repositoryUrl("acme", "laptops");
    assertThat(enroll("restore", "laptop1").exit()).isZero();
    Cli.Result r = run("restore", "latest", "--target", tmp.resolve("out").toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(CrashTest.contents(tmp.resolve("out").resolve(src.toString().substring(1))))
        .isEqualTo(CrashTest.contents(src));
  }
}
