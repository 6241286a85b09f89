package io.cairn.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cairn.format.SessionMarker;
import io.cairn.store.HttpStore;
import io.cairn.store.PinnedTrust;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The business side of the API the console is built on: plans, tenants from plans, exact cost,
 * machines' backup state, the dashboard's alerts, two-factor login, and browser sessions with
 * cookies and CSRF tokens.
 */
class BusinessApiTest {
  @TempDir static Path tmp;
  static TestVault vault;

  @BeforeAll
  static void start() {
    vault = TestVault.start(tmp.resolve("vault"));
  }

  @AfterAll
  static void stop() {
    vault.close();
  }

  static long tenantId(String slug) {
    return vault.admin("GET", "/api/v1/tenants/" + slug, null).path("id").asLong();
  }

  @Test
  void aTenantCreatedFromAPlanTakesItsQuotasAndItsRepositoriesTheRetention() {
    JsonNode plan = vault.admin("POST", "/api/v1/plans", Map.of("name", "business", "softQuotaBytes", 800,
        "hardQuotaBytes", 1000, "pricePerGbMonth", 0.025, "pricePerGbEgress", 0.01, "currency", "EUR",
        "retention", Map.of("keepDaily", 7), "immutabilityDays", 14));
    assertThat(plan.path("pricePerGbMonth").decimalValue()).isEqualByComparingTo("0.025");
    TestVault.Response dup = vault.call("POST", "/api/v1/plans", vault.adminToken(), Map.of("name", "business",
        "pricePerGbMonth", 1, "pricePerGbEgress", 1));
    assertThat(dup.status()).isEqualTo(409);
    TestVault.Response negative = vault.call("POST", "/api/v1/plans", vault.adminToken(), Map.of("name", "bad",
        "pricePerGbMonth", -1, "pricePerGbEgress", 1));
    assertThat(negative.status()).isEqualTo(400);
    TestVault.Response emptyRetention = vault.call("POST", "/api/v1/plans", vault.adminToken(), Map.of("name",
        "bad2", "pricePerGbMonth", 1, "pricePerGbEgress", 1, "retention", Map.of()));
    assertThat(emptyRetention.status()).isEqualTo(400);

    JsonNode t = vault.admin("POST", "/api/v1/tenants", Map.of("slug", "planned", "plan", plan.path("id").asLong()));
    assertThat(t.path("softQuotaBytes").asLong()).isEqualTo(800);
    assertThat(t.path("hardQuotaBytes").asLong()).isEqualTo(1000);
    assertThat(t.path("plan").asText()).isEqualTo("business");
    assertThat(t.path("suspended").isBoolean()).isTrue();
    JsonNode repo = vault.admin("POST", "/api/v1/tenants/planned/repos", Map.of("name", "main"));
    assertThat(repo.path("retention").asText()).contains("keepDaily");
    assertThat(repo.path("immutabilityDays").asInt()).isEqualTo(14);

    JsonNode patched = vault.admin("PATCH", "/api/v1/plans/" + plan.path("id").asLong(), Map.of("pricePerGbMonth", 0.03));
    assertThat(patched.path("pricePerGbMonth").decimalValue()).isEqualByComparingTo("0.03");
    assertThat(patched.path("hardQuotaBytes").asLong()).isEqualTo(1000);
  }

  @Test
  void costIsExactDecimalArithmeticOverTheDailyUsage() {
    JsonNode plan = vault.admin("POST", "/api/v1/plans", Map.of("name", "metered", "pricePerGbMonth", 0.02,
        "pricePerGbEgress", 0.05, "currency", "USD"));
    vault.admin("POST", "/api/v1/tenants", Map.of("slug", "billed", "plan", plan.path("id").asLong()));
    long id = tenantId("billed");
    YearMonth month = YearMonth.of(2026, 9); // 30 days
    vault.server.database().jdbi().useHandle(h -> {
      for (int d = 1; d <= 30; d++) {
        h.createUpdate("INSERT INTO usage_daily (tenant_id, day, physical_bytes, egress_bytes) VALUES (?, ?, ?, ?)")
            .bind(0, id).bind(1, month.atDay(d).toString()).bind(2, 10_000_000_000L).bind(3, d <= 5 ? 1_000_000_000L : 0)
            .execute();
      }
    });
    JsonNode cost = vault.admin("GET", "/api/v1/tenants/billed/cost?month=2026-09", null);
    // 10 GB for the whole month at 0.02 per GB-month = 0.20; 5 GB out at 0.05 = 0.25.
    assertThat(cost.path("currency").asText()).isEqualTo("USD");
    assertThat(cost.path("storageGbMonths").decimalValue()).isEqualByComparingTo("10");
    assertThat(cost.path("storageCost").decimalValue()).isEqualByComparingTo("0.20");
    assertThat(cost.path("egressGb").decimalValue()).isEqualByComparingTo("5");
    assertThat(cost.path("egressCost").decimalValue()).isEqualByComparingTo("0.25");
    assertThat(cost.path("total").decimalValue()).isEqualByComparingTo("0.45");
    assertThat(cost.path("days")).hasSize(30);
    assertThat(vault.call("GET", "/api/v1/tenants/billed/cost?month=Sept", vault.adminToken(), null).status())
        .isEqualTo(400);
    // The provider's billing run: one line per tenant, the same figures.
    TestVault.Response csv = vault.call("GET", "/api/v1/billing?month=2026-09&format=csv", vault.adminToken(), null);
    assertThat(csv.headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
    assertThat(csv.text()).startsWith("tenant,name,plan,month,currency,storage_gb_months,storage_cost")
        .contains("\nbilled,billed,metered,2026-09,USD,10.000000,0.2000,5.000000,0.2500,0.4500\n");
  }

  @Test
  void machinesShowTheirLastBackupAndWhenOneWasMissed() throws Exception {
    vault.createTenant("fleet", 1L, null);
    vault.createRepository("fleet", "main");
    String ok = vault.enrollAgent("fleet", "main", "append", "fresh");
    vault.enrollAgent("fleet", "main", "append", "stale");
    vault.enrollAgent("fleet", "main", "append", "partial");
    vault.enrollAgent("fleet", "main", "append", "new");
    JsonNode agents = vault.admin("GET", "/api/v1/tenants/fleet/agents", null);
    Map<String, Long> ids = new java.util.HashMap<>();
    agents.forEach(a -> ids.put(a.path("name").asText(), a.path("id").asLong()));
    long repo = vault.repository("fleet", "main").id();
    Instant now = Instant.now();
    vault.server.database().jdbi().useHandle(h -> {
      insertSnapshot(h, repo, "a1", now.minusSeconds(3600), ids.get("fresh"), 0);
      insertSnapshot(h, repo, "a2", now.minus(Duration.ofHours(30)), ids.get("stale"), 0);
      insertSnapshot(h, repo, "a3", now.minusSeconds(60), ids.get("partial"), 2);
    });
    JsonNode machines = vault.admin("GET", "/api/v1/tenants/fleet/machines", null);
    Map<String, String> state = new java.util.HashMap<>();
    machines.forEach(m -> state.put(m.path("name").asText(), m.path("state").asText()));
    assertThat(state).containsEntry("fresh", "ok").containsEntry("stale", "missed").containsEntry("partial", "partial")
        .containsEntry("new", "never");
    JsonNode fresh = find(machines, "fresh");
    assertThat(fresh.path("lastBackup").path("snapshot").asText()).isEqualTo("a1");
    assertThat(fresh.path("expectedIntervalHours").asInt()).isEqualTo(24);

    // A longer expected interval makes the stale machine punctual again.
    vault.admin("PATCH", "/api/v1/tenants/fleet/agents/" + ids.get("stale"), Map.of("expectedIntervalHours", 48));
    assertThat(find(vault.admin("GET", "/api/v1/tenants/fleet/machines", null), "stale").path("state").asText())
        .isEqualTo("ok");
    vault.admin("PATCH", "/api/v1/tenants/fleet/agents/" + ids.get("stale"), Map.of("expectedIntervalHours", 24));

    // The dashboard: the missed backup, a tenant over its soft quota (1 byte), a failed job.
    try (HttpStore store = new HttpStore(vault.repositoryUrl("fleet", "main"), ok, vault.fingerprint, w -> { })) {
      store.putIfAbsent("sessions/" + HexFormat.of().formatHex(new byte[32]),
          new SessionMarker(now, "fresh", 1).encode());
    }
    vault.server.database().jdbi().useHandle(h -> h.createUpdate("INSERT INTO jobs (repository_id, kind, trigger, "
        + "status, queued_at, started_at, finished_at, error) VALUES (?, 'gc', 'schedule', 'failed', ?, ?, ?, 'disk "
        + "full')").bind(0, repo).bind(1, now.toString()).bind(2, now.toString()).bind(3, now.toString()).execute());
    JsonNode dash = vault.admin("GET", "/api/v1/dashboard", null);
    List<String> kinds = dash.path("alerts").findValuesAsText("kind");
    assertThat(kinds).contains("missed_backup", "over_soft_quota", "failed_job");
    assertThat(dash.path("capacity").path("totalBytes").asLong()).isPositive();
    assertThat(dash.path("capacity").path("freeBytes").asLong()).isPositive();
    assertThat(dash.path("physicalBytes").asLong()).isPositive();
    assertThat(dash.path("today").path("ingressBytes").asLong()).isPositive();
  }

  /**
   * The dashboard's capacity is what df says of the data directory, and the overbooking ratio
   * weighs quota sold against the space for data (stored plus free), not the whole disk.
   */
  @Test
  void capacityAgreesWithDfAndOverbookingUsesTheSpaceForData() throws Exception {
    vault.createTenant("bigspender", null, 5_000_000_000_000L);
    JsonNode dash = vault.admin("GET", "/api/v1/dashboard", null);
    Process df = new ProcessBuilder("df", "-B1", "--output=size,used,avail,pcent",
        vault.data.resolve("repos").toString()).redirectErrorStream(true).start();
    String[] lines = new String(df.getInputStream().readAllBytes()).strip().split("\n");
    assertThat(df.waitFor()).as(String.join("\n", lines)).isZero();
    String[] f = lines[lines.length - 1].trim().split("\\s+");
    long size = Long.parseLong(f[0]);
    long used = Long.parseLong(f[1]);
    long avail = Long.parseLong(f[2]);
    int percent = Integer.parseInt(f[3].replace("%", ""));
    JsonNode cap = dash.path("capacity");
    long slack = 256L << 20; // other processes write to the same file system between the two readings
    assertThat(cap.path("totalBytes").asLong()).isEqualTo(size);
    assertThat(cap.path("usedBytes").asLong()).isCloseTo(used, org.assertj.core.data.Offset.offset(slack));
    assertThat(cap.path("freeBytes").asLong()).isCloseTo(avail, org.assertj.core.data.Offset.offset(slack));
    assertThat(cap.path("usedPercent").asLong()).isCloseTo(percent, org.assertj.core.data.Offset.offset(1L));
    long forData = cap.path("forDataBytes").asLong();
    assertThat(forData).isEqualTo(dash.path("physicalBytes").asLong() + cap.path("freeBytes").asLong());
    long sold = dash.path("quotaSoldBytes").asLong();
    assertThat(sold).isGreaterThanOrEqualTo(5_000_000_000_000L);
    assertThat(dash.path("overbookingRatio").decimalValue()).isEqualByComparingTo(
        java.math.BigDecimal.valueOf(sold).divide(java.math.BigDecimal.valueOf(forData), 3,
            java.math.RoundingMode.HALF_UP));
    // The over-soft-quota alert speaks in units, as the console does.
    vault.createTenant("tiny", 1L, null);
    vault.createRepository("tiny", "main");
    String token = vault.enrollAgent("tiny", "main", "append", "m");
    try (HttpStore store = new HttpStore(vault.repositoryUrl("tiny", "main"), token, vault.fingerprint, w -> { })) {
      store.putIfAbsent("sessions/" + HexFormat.of().formatHex(new byte[32]),
          new SessionMarker(Instant.now(), "m", 1).encode());
    }
    JsonNode alert = java.util.stream.StreamSupport.stream(vault.admin("GET", "/api/v1/dashboard", null)
        .path("alerts").spliterator(), false).filter(a -> a.path("tenant").asText().equals("tiny")).findFirst()
        .orElseThrow();
    assertThat(alert.path("message").asText()).matches("uses \\d+ B, over the soft quota of 1 B");
  }

  static void insertSnapshot(org.jdbi.v3.core.Handle h, long repo, String id, Instant time, long agent, int errors) {
    h.createUpdate("INSERT INTO snapshots (repository_id, snapshot_id, time, host, tags, logical_bytes, "
        + "new_logical_bytes, new_stored_bytes, files, errors, agent_id, stored_at) VALUES (?, ?, ?, 'h', '', 100, 50, "
        + "40, 3, ?, ?, ?)").bind(0, repo).bind(1, id).bind(2, time.toString()).bind(3, errors).bind(4, agent)
        .bind(5, time.toString()).execute();
  }

  static JsonNode find(JsonNode list, String name) {
    for (JsonNode n : list) {
      if (n.path("name").asText().equals(name)) {
        return n;
      }
    }
    throw new AssertionError(name + " not in " + list);
  }

  @Test
  void twoFactorLoginNeedsTheCurrentCode() {
    vault.createTenant("secure", null, null);
    vault.admin("POST", "/api/v1/tenants/secure/users", Map.of("username", "sam", "password", "sam-password-123",
        "role", "tenant_admin"));
    String token = vault.login("sam", "sam-password-123");
    JsonNode begin = vault.call("POST", "/api/v1/me/totp", token, null).json();
    assertThat(begin.path("uri").asText()).startsWith("otpauth://totp/Cairn%3Asam?secret=");
    assertThat(begin.path("qrSvg").asText()).startsWith("<svg").contains("<path d=\"M");
    String secret = begin.path("secret").asText();
    assertThat(vault.call("POST", "/api/v1/me/totp/confirm", token, Map.of("code", "000000")).status())
        .isEqualTo(400);
    String code = Totp.code(secret, Instant.now().getEpochSecond() / 30);
    assertThat(vault.call("POST", "/api/v1/me/totp/confirm", token, Map.of("code", code)).status()).isEqualTo(200);
    assertThat(vault.call("GET", "/api/v1/me", token, null).json().path("totp").asBoolean()).isTrue();

    TestVault.Response without = vault.call("POST", "/api/v1/login", null, Map.of("username", "sam", "password",
        "sam-password-123"));
    assertThat(without.status()).isEqualTo(401);
    assertThat(without.error()).isEqualTo("totp_required");
    TestVault.Response wrong = vault.call("POST", "/api/v1/login", null, Map.of("username", "sam", "password",
        "sam-password-123", "totp", "999999".equals(code) ? "111111" : "999999"));
    assertThat(wrong.error()).isEqualTo("totp_failed");
    TestVault.Response right = vault.call("POST", "/api/v1/login", null, Map.of("username", "sam", "password",
        "sam-password-123", "totp", Totp.code(secret, Instant.now().getEpochSecond() / 30)));
    assertThat(right.status()).as(right.text()).isEqualTo(200);
    // A lost phone: the tenant's admin (here the provider) resets the second factor.
    long sam = vault.admin("GET", "/api/v1/tenants/secure/users", null).get(0).path("id").asLong();
    JsonNode reset = vault.admin("PATCH", "/api/v1/tenants/secure/users/" + sam, Map.of("resetTotp", true));
    assertThat(reset.path("totp").asBoolean()).isFalse();
    String again = vault.login("sam", "sam-password-123");
    // Disabled: no login, and the tokens already handed out stop working at once.
    vault.admin("PATCH", "/api/v1/tenants/secure/users/" + sam, Map.of("disabled", true));
    assertThat(vault.call("GET", "/api/v1/me", again, null).status()).isEqualTo(401);
    assertThat(vault.call("POST", "/api/v1/login", null, Map.of("username", "sam", "password",
        "sam-password-123")).error()).isEqualTo("login_failed");
    assertThat(vault.call("PATCH", "/api/v1/tenants/secure/users/" + sam, vault.adminToken(),
        Map.of("role", "provider_admin")).status()).isEqualTo(400);
    // RFC 6238 test vector (SHA-1, T = 59 s): 94287082, of which six digits are 287082.
    assertThat(Totp.code(Totp.base32("12345678901234567890".getBytes()), 59 / 30)).isEqualTo("287082");
  }

  @Test
  void browserSessionsUseAStrictCookieAndChangesNeedTheCsrfToken() throws Exception {
    HttpClient http = HttpClient.newBuilder().sslContext(PinnedTrust.context(vault.fingerprint)).build();
    HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(vault.base + "/api/v1/login"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"admin\",\"password\":\""
            + TestVault.ADMIN_PASSWORD + "\",\"session\":\"cookie\"}")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(TestVault.JSON.readTree(login.body()).has("token")).isFalse();
    // A script's login gets the token and no cookie.
    TestVault.Response script = vault.call("POST", "/api/v1/login", null, Map.of("username", "admin", "password",
        TestVault.ADMIN_PASSWORD));
    assertThat(script.json().path("token").asText()).startsWith("cairn_session_");
    assertThat(script.headers().firstValue("Set-Cookie")).isEmpty();
    String setCookie = login.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(setCookie).startsWith("cairn_session=").contains("HttpOnly").contains("Secure")
        .containsIgnoringCase("SameSite=Strict");
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));
    String csrf = TestVault.JSON.readTree(login.body()).path("csrf").asText();
    assertThat(csrf).hasSize(32);

    HttpResponse<String> me = http.send(HttpRequest.newBuilder(URI.create(vault.base + "/api/v1/me"))
        .header("Cookie", cookie).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(me.statusCode()).isEqualTo(200);
    assertThat(TestVault.JSON.readTree(me.body()).path("csrf").asText()).isEqualTo(csrf);
    assertThat(me.headers().firstValue("Content-Security-Policy").orElse("")).contains("default-src 'self'")
        .contains("frame-ancestors 'none'").doesNotContain("unsafe-inline");

    HttpRequest.Builder post = HttpRequest.newBuilder(URI.create(vault.base + "/api/v1/tokens")).header("Cookie", cookie)
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"from the browser\"}"));
    HttpResponse<String> noCsrf = http.send(post.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(noCsrf.statusCode()).isEqualTo(403);
    assertThat(noCsrf.body()).contains("\"csrf\"");
    HttpResponse<String> wrongCsrf = http.send(post.copy().header("X-CSRF-Token", "0".repeat(32)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(wrongCsrf.statusCode()).isEqualTo(403);
    HttpResponse<String> withCsrf = http.send(post.copy().header("X-CSRF-Token", csrf).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(withCsrf.statusCode()).isEqualTo(201);

    HttpResponse<String> logout = http.send(HttpRequest.newBuilder(URI.create(vault.base + "/api/v1/logout"))
        .header("Cookie", cookie).header("X-CSRF-Token", csrf).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(logout.statusCode()).isEqualTo(204);
    HttpResponse<String> after = http.send(HttpRequest.newBuilder(URI.create(vault.base + "/api/v1/me"))
        .header("Cookie", cookie).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(after.statusCode()).isEqualTo(401);
  }
}
