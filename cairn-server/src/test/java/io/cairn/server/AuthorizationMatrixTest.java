package io.cairn.server;

import static io.cairn.server.AuthorizationMatrixTest.Who.ACME_ADMIN;
import static io.cairn.server.AuthorizationMatrixTest.Who.ACME_APPEND;
import static io.cairn.server.AuthorizationMatrixTest.Who.ACME_RESTORE;
import static io.cairn.server.AuthorizationMatrixTest.Who.ACME_VIEWER;
import static io.cairn.server.AuthorizationMatrixTest.Who.ACME_WRITE_ONLY;
import static io.cairn.server.AuthorizationMatrixTest.Who.ANONYMOUS;
import static io.cairn.server.AuthorizationMatrixTest.Who.BOGUS;
import static io.cairn.server.AuthorizationMatrixTest.Who.GLOBEX_ADMIN;
import static io.cairn.server.AuthorizationMatrixTest.Who.GLOBEX_APPEND;
import static io.cairn.server.AuthorizationMatrixTest.Who.PROVIDER;
import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cairn.format.BlobType;
import io.cairn.format.Id;
import io.cairn.format.SessionMarker;
import io.cairn.format.SnapshotContent;
import io.cairn.format.SnapshotEnvelope;
import io.cairn.format.SnapshotSummary;
import io.cairn.format.TreeCodec;
import io.cairn.repository.Repository;
import io.cairn.repository.RepositoryOptions;
import io.cairn.repository.WriteSession;
import io.cairn.store.HttpStore;
import io.cairn.store.StoreKeys;
import io.cairn.server.TestVault.Response;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every declared route against every kind of caller, from an explicit table of who may do what
 * (when the path names tenant "acme" and its repository "main"). A route added to {@link Api}
 * without a decision here fails {@link #tableCoversExactlyTheDeclaredRoutes()}; so does a table
 * row for a route that no longer exists. Also: another tenant's resources look exactly like a
 * tenant that does not exist, and the agent scopes (restore cannot write, write-only cannot read
 * file contents, no agent deletes anything but its own session markers).
 */
class AuthorizationMatrixTest {

  /** The callers. */
  enum Who {
    ANONYMOUS, BOGUS, PROVIDER, ACME_ADMIN, ACME_VIEWER, GLOBEX_ADMIN, ACME_APPEND, ACME_WRITE_ONLY, ACME_RESTORE,
    GLOBEX_APPEND
  }

  static final Set<Who> USERS = EnumSet.of(PROVIDER, ACME_ADMIN, ACME_VIEWER, GLOBEX_ADMIN);
  static final Set<Who> EVERYONE = EnumSet.of(ANONYMOUS, PROVIDER, ACME_ADMIN, ACME_VIEWER, GLOBEX_ADMIN, ACME_APPEND,
      ACME_WRITE_ONLY, ACME_RESTORE, GLOBEX_APPEND);
  static final Set<String> REDIRECTS = Set.of("GET /");

  /**
   * Who may call each route when the path names acme (and acme/main). Keys are exactly
   * "METHOD path" as declared in {@link Api}. BOGUS (a revoked token) is refused everywhere, even
   * on public routes: a bad credential is always answered with 401 so that a client notices it.
   */
  static final Map<String, Set<Who>> EXPECTED = Map.ofEntries(
      entry("GET /healthz",
          EnumSet.of(ANONYMOUS, PROVIDER, ACME_ADMIN, ACME_VIEWER, GLOBEX_ADMIN, ACME_APPEND, ACME_WRITE_ONLY,
              ACME_RESTORE, GLOBEX_APPEND)),
      entry("POST /api/v1/login",
          EnumSet.of(ANONYMOUS, PROVIDER, ACME_ADMIN, ACME_VIEWER, GLOBEX_ADMIN, ACME_APPEND, ACME_WRITE_ONLY,
              ACME_RESTORE, GLOBEX_APPEND)),
      entry("POST /api/v1/enroll",
          EnumSet.of(ANONYMOUS, PROVIDER, ACME_ADMIN, ACME_VIEWER, GLOBEX_ADMIN, ACME_APPEND, ACME_WRITE_ONLY,
              ACME_RESTORE, GLOBEX_APPEND)),
      entry("GET /metrics", EnumSet.of(PROVIDER)),
      entry("GET /", EVERYONE),
      entry("GET /api/v1/server", USERS),
      entry("POST /api/v1/me/totp", USERS),
      entry("POST /api/v1/me/totp/confirm", USERS),
      entry("GET /api/v1/dashboard", EnumSet.of(PROVIDER)),
      entry("GET /api/v1/billing", EnumSet.of(PROVIDER)),
      entry("GET /api/v1/plans", EnumSet.of(PROVIDER)),
      entry("POST /api/v1/plans", EnumSet.of(PROVIDER)),
      entry("PATCH /api/v1/plans/{id}", EnumSet.of(PROVIDER)),
      entry("GET /api/v1/tenants/{tenant}/machines", EnumSet.of(PROVIDER, ACME_ADMIN, ACME_VIEWER)),
      entry("PATCH /api/v1/tenants/{tenant}/agents/{id}", EnumSet.of(PROVIDER, ACME_ADMIN)),
      entry("GET /api/v1/tenants/{tenant}/cost", EnumSet.of(PROVIDER, ACME_ADMIN, ACME_VIEWER)),

      entry("GET /api/v1/me", EnumSet.of(PROVIDER, ACME_ADMIN, ACME_VIEWER, GLOBEX_ADMIN)),
      entry("POST /api/v1/logout", EnumSet.of(PROVIDER, ACME_ADMIN, ACME_VIEWER, GLOBEX_ADMIN)),
      entry("GET /api/v1/tokens", EnumSet.of(PROVIDER, ACME_ADMIN, ACME_VIEWER, GLOBEX_ADMIN)),
      entry("POST /api/v1/tokens", EnumSet.of(PROVIDER, ACME_ADMIN, ACME_VIEWER, GLOBEX_ADMIN)),
      entry("DELETE /api/v1/tokens/{id}", EnumSet.of(PROVIDER, ACME_ADMIN, ACME_VIEWER, GLOBEX_ADMIN)),

      entry("GET /api/v1/tenants", EnumSet.of(PROVIDER)),
      entry("POST /api/v1/tenants", EnumSet.of(PROVIDER)),
      entry("GET /api/v1/usage", EnumSet.of(PROVIDER)),
      entry("GET /api/v1/jobs", EnumSet.of(PROVIDER)),
      entry("GET /api/v1/audit", EnumSet.of(PROVIDER)),

      entry("GET /api/v1/tenants/{tenant}", EnumSet.of(PROVIDER, ACME_ADMIN, ACME_VIEWER)),
      entry("PATCH /api/v1/tenants/{tenant}", EnumSet.of(PROVIDER)),
      entry("GET /api/v1/tenants/{tenant}/repos", EnumSet.of(PROVIDER, ACME_ADMIN, ACME_VIEWER)),
      entry("POST /api/v1/tenants/{tenant}/repos", EnumSet.of(PROVIDER, ACME_ADMIN)),
      entry("GET /api/v1/tenants/{tenant}/repos/{repo}", EnumSet.of(PROVIDER, ACME_ADMIN, ACME_VIEWER)),
      entry("PATCH /api/v1/tenants/{tenant}/repos/{repo}", EnumSet.of(PROVIDER, ACME_ADMIN)),
      entry("GET /api/v1/tenants/{tenant}/repos/{repo}/snapshots", EnumSet.of(PROVIDER, ACME_ADMIN, ACME_VIEWER)),
      entry("POST /api/v1/tenants/{tenant}/repos/{repo}/jobs", EnumSet.of(PROVIDER)),
      entry("GET /api/v1/tenants/{tenant}/users", EnumSet.of(PROVIDER, ACME_ADMIN)),
      entry("POST /api/v1/tenants/{tenant}/users", EnumSet.of(PROVIDER, ACME_ADMIN)),
      entry("PATCH /api/v1/tenants/{tenant}/users/{id}", EnumSet.of(PROVIDER, ACME_ADMIN)),
      entry("GET /api/v1/tenants/{tenant}/enrollments", EnumSet.of(PROVIDER, ACME_ADMIN)),
      entry("POST /api/v1/tenants/{tenant}/enrollments", EnumSet.of(PROVIDER, ACME_ADMIN)),
      entry("DELETE /api/v1/tenants/{tenant}/enrollments/{id}", EnumSet.of(PROVIDER, ACME_ADMIN)),
      entry("GET /api/v1/tenants/{tenant}/agents", EnumSet.of(PROVIDER, ACME_ADMIN, ACME_VIEWER)),
      entry("DELETE /api/v1/tenants/{tenant}/agents/{id}", EnumSet.of(PROVIDER, ACME_ADMIN)),
      entry("GET /api/v1/tenants/{tenant}/usage", EnumSet.of(PROVIDER, ACME_ADMIN, ACME_VIEWER)),
      entry("GET /api/v1/tenants/{tenant}/jobs", EnumSet.of(PROVIDER, ACME_ADMIN, ACME_VIEWER)),
      entry("GET /api/v1/tenants/{tenant}/audit", EnumSet.of(PROVIDER, ACME_ADMIN)),

      entry("GET /api/v1/repos/{tenant}/{repo}/objects", EnumSet.of(ACME_APPEND, ACME_WRITE_ONLY, ACME_RESTORE)),
      entry("GET /api/v1/repos/{tenant}/{repo}/objects/<key>", EnumSet.of(ACME_APPEND, ACME_WRITE_ONLY, ACME_RESTORE)),
      entry("HEAD /api/v1/repos/{tenant}/{repo}/objects/<key>",
          EnumSet.of(ACME_APPEND, ACME_WRITE_ONLY, ACME_RESTORE)),
      entry("PUT /api/v1/repos/{tenant}/{repo}/objects/<key>", EnumSet.of(ACME_APPEND, ACME_WRITE_ONLY)),
      entry("DELETE /api/v1/repos/{tenant}/{repo}/objects/<key>", EnumSet.of(ACME_APPEND, ACME_WRITE_ONLY)));

  static final String ACME_ADMIN_PW = "acme-admin-password";
  static final String ACME_VIEWER_PW = "acme-viewer-password";
  static final String GLOBEX_ADMIN_PW = "globex-admin-password";
  static final String MISSING_TENANT = "no-such-tenant";
  static final AtomicInteger COUNTER = new AtomicInteger();
  static final SecureRandom RANDOM = new SecureRandom();

  @TempDir static Path tmp;
  static TestVault vault;
  static final Map<Who, String> TOKENS = new EnumMap<>(Who.class);
  static String acmeEnrollmentToken;
  /** A session marker ACME_APPEND stored; every acme agent may read it. */
  static String existingMarker;
  static String dataPack;
  static String treePack;
  static String indexSegment;
  static String keyFile;
  static String snapshotKey;
  static Map<String, Builder> builders;

  /** A request; {@code token} null means no Authorization header. */
  record Req(String method, String path, Object body, String token) {}

  /** Builds a request that succeeds if {@code who} may call the route, for the tenant named {@code tenant}. */
  interface Builder {
    Req build(Who who, String tenant);
  }

  @BeforeAll
  static void setUp() throws Exception {
    vault = TestVault.start(tmp.resolve("vault"));
    vault.createTenant("acme", null, null);
    vault.createTenant("globex", null, null);
    vault.createRepository("acme", "main");
    vault.createRepository("globex", "main");
    createUser("acme", "acme-admin", ACME_ADMIN_PW, "tenant_admin");
    createUser("acme", "acme-viewer", ACME_VIEWER_PW, "tenant_viewer");
    createUser("globex", "globex-admin", GLOBEX_ADMIN_PW, "tenant_admin");
    TOKENS.put(PROVIDER, vault.adminToken());
    TOKENS.put(ACME_ADMIN, vault.login("acme-admin", ACME_ADMIN_PW));
    TOKENS.put(ACME_VIEWER, vault.login("acme-viewer", ACME_VIEWER_PW));
    TOKENS.put(GLOBEX_ADMIN, vault.login("globex-admin", GLOBEX_ADMIN_PW));
    TOKENS.put(ACME_APPEND, vault.enrollAgent("acme", "main", "append", "acme-append"));
    TOKENS.put(ACME_WRITE_ONLY, vault.enrollAgent("acme", "main", "write-only", "acme-write-only"));
    TOKENS.put(ACME_RESTORE, vault.enrollAgent("acme", "main", "restore", "acme-restore"));
    TOKENS.put(GLOBEX_APPEND, vault.enrollAgent("globex", "main", "append", "globex-append"));

    // BOGUS: an API token of acme's admin, revoked.
    Response t = call("POST", "/api/v1/tokens", TOKENS.get(ACME_ADMIN), Map.of("name", "doomed"));
    assertThat(t.status()).as(t.text()).isEqualTo(201);
    Response revoke = call("DELETE", "/api/v1/tokens/" + t.json().path("id").asLong(),
        TOKENS.get(ACME_ADMIN), null);
    assertThat(revoke.status()).as(revoke.text()).isEqualTo(204);
    TOKENS.put(BOGUS, t.json().path("token").asText());
    assertThat(call("GET", "/api/v1/me", TOKENS.get(BOGUS), null).status()).isEqualTo(401);

    acmeEnrollmentToken = vault.enrollmentToken("acme", "main", "append");
    writeRealRepository();
    existingMarker = putMarker(ACME_APPEND);
    builders = builders();
  }

  @AfterAll
  static void tearDown() {
    if (vault != null) {
      vault.close();
    }
  }

  private static void createUser(String tenant, String username, String password, String role) {
    vault.admin("POST", "/api/v1/tenants/" + tenant + "/users",
        Map.of("username", username, "password", password, "role", role));
  }

  /**
   * Initialises acme/main through the object API as ACME_APPEND and stores one file-data blob,
   * one tree and a snapshot, exactly as a backup does: a data pack, a tree-only pack, an index
   * segment, a key file, the config and a snapshot. The write session's marker is created and
   * ended (deleted) by the same agent.
   */
  private static void writeRealRepository() {
    HttpStore store = new HttpStore(vault.repositoryUrl("acme", "main"), TOKENS.get(ACME_APPEND), vault.fingerprint, w -> { });
    try (Repository repo = Repository.init(store, "repository-password".toCharArray(),
        Repository.InitSettings.DEFAULT, RepositoryOptions.defaults(tmp.resolve("cache")))) {
      byte[] file = new byte[20_000];
      RANDOM.nextBytes(file);
      Id dataId = repo.blobId(file);
      Id treeId;
      try (WriteSession s = repo.newSession()) {
        s.saveBlob(BlobType.DATA, dataId, file);
        treeId = s.saveTree(TreeCodec.encode(List.of()));
        SnapshotEnvelope env = new SnapshotEnvelope(Instant.now(), "host1", List.of(), null,
            repo.pathsTag(List.of("/home")), null, false, "test",
            new SnapshotSummary(1, 1, 0, file.length, 1, 0, 0, 2, 2, file.length, file.length, 0, 1));
        Id snap = s.commitSnapshot(env, new SnapshotContent(List.of("/home"), treeId, "user", List.of()),
            List.of(dataId, treeId));
        snapshotKey = StoreKeys.snapshot(snap);
      }
      repo.refreshIndex();
      dataPack = StoreKeys.pack(repo.locate(dataId).orElseThrow().pack());
      treePack = StoreKeys.pack(repo.locate(treeId).orElseThrow().pack());
      assertThat(dataPack).isNotEqualTo(treePack);
      indexSegment = store.list(StoreKeys.INDEX).getFirst().key();
      keyFile = StoreKeys.key(repo.keyId());
      assertThat(store.list(StoreKeys.SESSIONS)).as("the backup's session marker was ended").isEmpty();
    }
  }

  // ---- helpers ----

  static Response call(String method, String path, String token, Object body) {
    return vault.call(method, path, token, body);
  }

  static Response call(String method, String path, String token, Object body, Map<String, String> headers) {
    return vault.call(method, path, token, body, headers);
  }


  static String token(Who who) {
    return TOKENS.get(who);
  }

  static String unique(String prefix) {
    return prefix + "-" + COUNTER.incrementAndGet();
  }

  static Req req(Who who, String method, String path, Object body) {
    return new Req(method, path, body, token(who));
  }

  static Response send(Req r) {
    return call(r.method(), r.path(), r.token(), r.body());
  }

  static String randomHex() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  static byte[] marker() {
    return new SessionMarker(Instant.now(), "host1", 4242).encode();
  }

  static String objects(String tenant) {
    return "/api/v1/repos/" + tenant + "/main/objects";
  }

  /** Stores a fresh session marker in acme/main as {@code who}; returns its key. */
  static String putMarker(Who who) {
    String key = "sessions/" + randomHex();
    Response r = call("PUT", objects("acme") + "/" + key, token(who), marker());
    assertThat(r.status()).as("PUT %s as %s: %s", key, who, r.text()).isEqualTo(201);
    return key;
  }

  static Response objectAs(Who who, String method, String key) {
    return call(method, objects("acme") + "/" + key, token(who), null);
  }

  /** A fresh API token of a user: {id, token}. */
  static JsonNode freshApiToken(Who user) {
    Response r = call("POST", "/api/v1/tokens", token(user), Map.of("name", unique("t")));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json();
  }

  static long victimEnrollment() {
    return vault.admin("POST", "/api/v1/tenants/acme/enrollments", Map.of("repository", "main", "scope", "append"))
        .path("id").asLong();
  }

  static long victimAgent() {
    Response r = call("POST", "/api/v1/enroll", null,
        Map.of("token", vault.enrollmentToken("acme", "main", "append"), "name", unique("victim")));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json().path("agentId").asLong();
  }

  static String key(Api.Route r) {
    return r.method().name() + " " + r.path();
  }

  static List<Api.Route> routes() {
    return vault.server.api().routes();
  }

  /** One request per route that succeeds when the caller is allowed. */
  static Map<String, Builder> builders() {
    Map<String, Builder> b = new HashMap<>();
    b.put("GET /healthz", (w, t) -> req(w, "GET", "/healthz", null));
    b.put("POST /api/v1/login", (w, t) -> req(w, "POST", "/api/v1/login",
        Map.of("username", "acme-viewer", "password", ACME_VIEWER_PW)));
    b.put("POST /api/v1/enroll", (w, t) -> req(w, "POST", "/api/v1/enroll",
        Map.of("token", acmeEnrollmentToken, "name", unique("machine"))));
    b.put("GET /metrics", (w, t) -> req(w, "GET", "/metrics", null));
    b.put("GET /", (w, t) -> req(w, "GET", "/", null));
    b.put("GET /api/v1/server", (w, t) -> req(w, "GET", "/api/v1/server", null));
    b.put("POST /api/v1/me/totp", (w, t) -> req(w, "POST", "/api/v1/me/totp", null));
    b.put("POST /api/v1/me/totp/confirm", (w, t) -> USERS.contains(w)
        // A real code of the secret just begun, so that an allowed caller succeeds.
        ? req(w, "POST", "/api/v1/me/totp/confirm", Map.of("code", Totp.code(send(req(w, "POST", "/api/v1/me/totp",
            null)).json().path("secret").asText(), java.time.Instant.now().getEpochSecond() / 30)))
        : req(w, "POST", "/api/v1/me/totp/confirm", Map.of("code", "123456")));
    b.put("GET /api/v1/dashboard", (w, t) -> req(w, "GET", "/api/v1/dashboard", null));
    b.put("GET /api/v1/billing", (w, t) -> req(w, "GET", "/api/v1/billing?format=csv", null));
    b.put("GET /api/v1/plans", (w, t) -> req(w, "GET", "/api/v1/plans", null));
    b.put("POST /api/v1/plans", (w, t) -> req(w, "POST", "/api/v1/plans", Map.of("name", unique("plan"),
        "pricePerGbMonth", 0.02, "pricePerGbEgress", 0.01, "currency", "EUR")));
    b.put("PATCH /api/v1/plans/{id}", (w, t) -> req(w, "PATCH", "/api/v1/plans/" + victimPlan(),
        Map.of("pricePerGbMonth", 0.03)));
    b.put("GET /api/v1/tenants/{tenant}/machines", (w, t) -> req(w, "GET", "/api/v1/tenants/" + t + "/machines",
        null));
    b.put("PATCH /api/v1/tenants/{tenant}/agents/{id}", (w, t) -> req(w, "PATCH", "/api/v1/tenants/" + t
        + "/agents/" + victimAgent(), Map.of("expectedIntervalHours", 12)));
    b.put("GET /api/v1/tenants/{tenant}/cost", (w, t) -> req(w, "GET", "/api/v1/tenants/" + t + "/cost", null));

    b.put("GET /api/v1/me", (w, t) -> req(w, "GET", "/api/v1/me", null));
    b.put("POST /api/v1/logout", (w, t) -> USERS.contains(w)
        // A fresh token of the same user, so that the caller's own token keeps working.
        ? new Req("POST", "/api/v1/logout", null, freshApiToken(w).path("token").asText())
        : req(w, "POST", "/api/v1/logout", null));
    b.put("GET /api/v1/tokens", (w, t) -> req(w, "GET", "/api/v1/tokens", null));
    b.put("POST /api/v1/tokens", (w, t) -> req(w, "POST", "/api/v1/tokens", Map.of("name", unique("token"))));
    b.put("DELETE /api/v1/tokens/{id}", (w, t) -> req(w, "DELETE",
        "/api/v1/tokens/" + freshApiToken(USERS.contains(w) ? w : PROVIDER).path("id").asLong(), null));

    b.put("GET /api/v1/tenants", (w, t) -> req(w, "GET", "/api/v1/tenants", null));
    b.put("POST /api/v1/tenants", (w, t) -> req(w, "POST", "/api/v1/tenants", Map.of("slug", unique("tenant"))));
    b.put("GET /api/v1/usage", (w, t) -> req(w, "GET", "/api/v1/usage", null));
    b.put("GET /api/v1/jobs", (w, t) -> req(w, "GET", "/api/v1/jobs", null));
    b.put("GET /api/v1/audit", (w, t) -> req(w, "GET", "/api/v1/audit", null));

    String tp = "/api/v1/tenants/";
    b.put("GET /api/v1/tenants/{tenant}", (w, t) -> req(w, "GET", tp + t, null));
    b.put("PATCH /api/v1/tenants/{tenant}", (w, t) -> req(w, "PATCH", tp + t, Map.of("name", "Acme Inc")));
    b.put("GET /api/v1/tenants/{tenant}/repos", (w, t) -> req(w, "GET", tp + t + "/repos", null));
    b.put("POST /api/v1/tenants/{tenant}/repos", (w, t) -> req(w, "POST", tp + t + "/repos",
        Map.of("name", unique("repo"))));
    b.put("GET /api/v1/tenants/{tenant}/repos/{repo}", (w, t) -> req(w, "GET", tp + t + "/repos/main", null));
    b.put("PATCH /api/v1/tenants/{tenant}/repos/{repo}", (w, t) -> req(w, "PATCH", tp + t + "/repos/main",
        Map.of("immutabilityDays", 0)));
    b.put("GET /api/v1/tenants/{tenant}/repos/{repo}/snapshots", (w, t) -> req(w, "GET",
        tp + t + "/repos/main/snapshots", null));
    b.put("POST /api/v1/tenants/{tenant}/repos/{repo}/jobs", (w, t) -> req(w, "POST", tp + t + "/repos/main/jobs",
        Map.of("kind", "scrub")));
    b.put("GET /api/v1/tenants/{tenant}/users", (w, t) -> req(w, "GET", tp + t + "/users", null));
    b.put("POST /api/v1/tenants/{tenant}/users", (w, t) -> req(w, "POST", tp + t + "/users",
        Map.of("username", unique("user"), "password", "a-long-enough-password", "role", "tenant_viewer")));
    b.put("PATCH /api/v1/tenants/{tenant}/users/{id}", (w, t) -> req(w, "PATCH", tp + t + "/users/"
        + vault.admin("POST", "/api/v1/tenants/acme/users", Map.of("username", unique("victim"), "password",
            "a-long-enough-password", "role", "tenant_viewer")).path("id").asLong(), Map.of("role", "tenant_admin")));
    b.put("GET /api/v1/tenants/{tenant}/enrollments", (w, t) -> req(w, "GET", tp + t + "/enrollments", null));
    b.put("POST /api/v1/tenants/{tenant}/enrollments", (w, t) -> req(w, "POST", tp + t + "/enrollments",
        Map.of("repository", "main", "scope", "append")));
    b.put("DELETE /api/v1/tenants/{tenant}/enrollments/{id}", (w, t) -> req(w, "DELETE",
        tp + t + "/enrollments/" + victimEnrollment(), null));
    b.put("GET /api/v1/tenants/{tenant}/agents", (w, t) -> req(w, "GET", tp + t + "/agents", null));
    b.put("DELETE /api/v1/tenants/{tenant}/agents/{id}", (w, t) -> req(w, "DELETE",
        tp + t + "/agents/" + victimAgent(), null));
    b.put("GET /api/v1/tenants/{tenant}/usage", (w, t) -> req(w, "GET", tp + t + "/usage", null));
    b.put("GET /api/v1/tenants/{tenant}/jobs", (w, t) -> req(w, "GET", tp + t + "/jobs", null));
    b.put("GET /api/v1/tenants/{tenant}/audit", (w, t) -> req(w, "GET", tp + t + "/audit", null));

    String o = "/api/v1/repos/{tenant}/{repo}/objects";
    b.put("GET " + o, (w, t) -> req(w, "GET", objects(t) + "?prefix=snapshots/", null));
    b.put("GET " + o + "/<key>", (w, t) -> req(w, "GET", objects(t) + "/" + existingMarker, null));
    b.put("HEAD " + o + "/<key>", (w, t) -> req(w, "HEAD", objects(t) + "/" + existingMarker, null));
    b.put("PUT " + o + "/<key>", (w, t) -> req(w, "PUT", objects(t) + "/sessions/" + randomHex(), marker()));
    b.put("DELETE " + o + "/<key>", (w, t) -> req(w, "DELETE", objects(t) + "/"
        // The agent's own marker, put just before; callers that cannot put one try ACME_APPEND's.
        + putMarker(w == ACME_APPEND || w == ACME_WRITE_ONLY ? w : ACME_APPEND), null));
    return b;
  }

  static long victimPlan() {
    return vault.admin("POST", "/api/v1/plans", Map.of("name", unique("plan"), "pricePerGbMonth", 0.02,
        "pricePerGbEgress", 0.01, "currency", "EUR")).path("id").asLong();
  }

  static void assertJsonError(Req req, Response r) {
    if (req.method().equals("HEAD")) {
      return; // no body on HEAD answers
    }
    assertThat(r.headers().firstValue("Content-Type").orElse("")).as("Content-Type of %s", r.text())
        .startsWith("application/json");
    assertThat(r.json()).as("error body %s", r.text()).isNotNull();
    assertThat(r.json().path("error").isTextual()).as("'error' in %s", r.text()).isTrue();
    assertThat(r.json().path("message").isTextual()).as("'message' in %s", r.text()).isTrue();
  }

  static void assertDenied(Who who, Req req, Response r) {
    String what = req.method() + " " + req.path() + " as " + who + " → " + r.status() + " " + r.text();
    if (who == ANONYMOUS || who == BOGUS) {
      assertThat(r.status()).as(what).isEqualTo(401);
      if (!req.method().equals("HEAD")) {
        assertThat(r.json().path("error").asText()).as(what)
            .isEqualTo(who == ANONYMOUS ? "unauthenticated" : "bad_credentials");
      }
    } else {
      assertThat(r.status()).as(what).isIn(403, 404);
    }
    assertJsonError(req, r);
  }

  // ---- the table ----

  @Test
  void tableCoversExactlyTheDeclaredRoutes() {
    List<String> declared = routes().stream().map(AuthorizationMatrixTest::key).toList();
    assertThat(declared).as("routes are declared once each").doesNotHaveDuplicates();
    assertThat(new TreeSet<>(declared)).as("routes declared in Api without a decision in EXPECTED")
        .isSubsetOf(EXPECTED.keySet());
    assertThat(new TreeSet<>(EXPECTED.keySet())).as("rows of EXPECTED naming routes that Api does not declare")
        .isSubsetOf(declared);
    assertThat(builders.keySet()).as("every row has a request").isEqualTo(EXPECTED.keySet());
  }

  @Test
  void tableAgreesWithTheDeclaredAccessLevels() {
    // A second opinion from the declarations: nothing the table allows is broader than the Access.
    for (Api.Route r : routes()) {
      Set<Who> allowed = EXPECTED.get(key(r));
      assertThat(allowed).as("row for %s", key(r)).isNotNull();
      switch (r.access()) {
        case PUBLIC -> assertThat(allowed).as(key(r)).contains(ANONYMOUS);
        case AGENT -> assertThat(allowed).as(key(r)).isSubsetOf(ACME_APPEND, ACME_WRITE_ONLY, ACME_RESTORE);
        case USER -> assertThat(allowed).as(key(r)).isSubsetOf(USERS);
        case TENANT_VIEW -> assertThat(allowed).as(key(r)).isSubsetOf(PROVIDER, ACME_ADMIN, ACME_VIEWER);
        case TENANT_ADMIN -> assertThat(allowed).as(key(r)).isSubsetOf(PROVIDER, ACME_ADMIN);
        case PROVIDER, METRICS -> assertThat(allowed).as(key(r)).containsOnly(PROVIDER);
        default -> throw new AssertionError("no check for access " + r.access());
      }
    }
  }

  /** Every declared route × every caller, on acme's paths. */
  @TestFactory
  Stream<DynamicNode> everyRouteAsEveryCaller() {
    List<DynamicNode> nodes = new ArrayList<>();
    for (Api.Route route : routes()) {
      String k = key(route);
      List<DynamicTest> tests = new ArrayList<>();
      for (Who who : Who.values()) {
        tests.add(DynamicTest.dynamicTest(k + " as " + who, () -> {
          Set<Who> allowed = EXPECTED.get(k);
          assertThat(allowed).as("no row in EXPECTED for the declared route %s: decide who may call it", k)
              .isNotNull();
          Builder b = builders.get(k);
          assertThat(b).as("no request for %s", k).isNotNull();
          Req req = b.build(who, "acme");
          Response r = send(req);
          if (allowed.contains(who)) {
            // A redirect counts as allowed only for the route that is nothing but a redirect.
            assertThat(r.status()).as("%s %s as %s → %s", req.method(), req.path(), who, r.text())
                .isBetween(200, REDIRECTS.contains(k) ? 302 : 299);
            checkEffect(k, who, req, true);
          } else {
            assertDenied(who, req, r);
            checkEffect(k, who, req, false);
          }
        }));
      }
      nodes.add(DynamicContainer.dynamicContainer(k, tests));
    }
    return nodes.stream();
  }

  /** For the object writes, the store agrees with the answer. */
  private static void checkEffect(String route, Who who, Req req, boolean allowed) {
    String objectKey = req.path().contains("/objects/") ? req.path().substring(req.path().indexOf("/objects/") + 9)
        : null;
    if (route.startsWith("PUT /api/v1/repos/")) {
      assertThat(objectAs(ACME_APPEND, "HEAD", objectKey).status()).as("%s stored after PUT as %s", objectKey, who)
          .isEqualTo(allowed ? 200 : 404);
    } else if (route.startsWith("DELETE /api/v1/repos/")) {
      assertThat(objectAs(ACME_APPEND, "HEAD", objectKey).status()).as("%s present after DELETE as %s", objectKey,
          who).isEqualTo(allowed ? 404 : 200);
    } else if (route.equals("POST /api/v1/logout") && allowed) {
      assertThat(call("GET", "/api/v1/me", req.token(), null).status()).as("logged-out token").isEqualTo(401);
      assertThat(call("GET", "/api/v1/me", token(who), null).status()).as("other tokens").isEqualTo(200);
    }
  }

  // ---- other tenants ----

  /**
   * Users and agents of one tenant get, for the other tenant's paths, exactly the answer a tenant
   * that does not exist gets: nothing tells them the other tenant exists.
   */
  @TestFactory
  Stream<DynamicTest> anotherTenantLooksLikeNoTenant() {
    Map<Who, String> others = new LinkedHashMap<>();
    others.put(GLOBEX_ADMIN, "acme");
    others.put(GLOBEX_APPEND, "acme");
    others.put(ACME_ADMIN, "globex");
    others.put(ACME_VIEWER, "globex");
    others.put(ACME_APPEND, "globex");
    others.put(ACME_WRITE_ONLY, "globex");
    others.put(ACME_RESTORE, "globex");
    List<DynamicTest> tests = new ArrayList<>();
    for (Api.Route route : routes()) {
      if (!route.path().contains("{tenant}")) {
        continue;
      }
      String k = key(route);
      others.forEach((who, other) -> tests.add(DynamicTest.dynamicTest(k + " as " + who + " on " + other, () -> {
        Builder b = builders.get(k);
        assertThat(b).as("no request for %s", k).isNotNull();
        Req real = b.build(who, other);
        Response onOther = send(real);
        Req fake = b.build(who, MISSING_TENANT);
        Response onMissing = send(fake);
        String what = real.method() + " " + real.path() + " as " + who + " → " + onOther.status() + " "
            + onOther.text() + "; on a missing tenant → " + onMissing.status() + " " + onMissing.text();
        assertThat(onOther.status()).as(what).isIn(403, 404);
        assertDenied(who, real, onOther);
        assertThat(onOther.status()).as(what).isEqualTo(onMissing.status());
        if (!real.method().equals("HEAD")) {
          assertThat(onOther.error()).as(what).isEqualTo(onMissing.error());
          assertThat(onOther.json().path("message").asText().replace(other, MISSING_TENANT)).as(what)
              .isEqualTo(onMissing.json().path("message").asText());
        }
      })));
    }
    return tests.stream();
  }

  @Test
  void globexCallersAreRefusedEverythingUnderAcme() {
    for (Api.Route route : routes()) {
      if (!route.path().contains("{tenant}")) {
        continue;
      }
      assertThat(EXPECTED.get(key(route))).as(key(route)).doesNotContain(GLOBEX_ADMIN, GLOBEX_APPEND);
      for (Who who : List.of(GLOBEX_ADMIN, GLOBEX_APPEND)) {
        Req req = builders.get(key(route)).build(who, "acme");
        assertDenied(who, req, send(req));
      }
    }
  }

  // ---- agent scopes ----

  @Test
  void restoreAgentCannotWrite() {
    for (String key : List.of("sessions/" + randomHex())) {
      Response r = call("PUT", objects("acme") + "/" + key, token(ACME_RESTORE), marker());
      assertThat(r.status()).as(r.text()).isEqualTo(403);
      assertThat(r.error()).isEqualTo("forbidden");
      assertThat(objectAs(ACME_APPEND, "HEAD", key).status()).isEqualTo(404);
    }
    // Not even an object that is already stored, with identical bytes.
    byte[] treeBytes = vault.repository("acme", "main").store().get(treePack);
    Response again = call("PUT", objects("acme") + "/" + treePack, token(ACME_RESTORE), treeBytes);
    assertThat(again.status()).as(again.text()).isEqualTo(403);
  }

  @Test
  void writeOnlyAgentReadsWhatABackupNeedsButNoFileContents() {
    Response data = objectAs(ACME_WRITE_ONLY, "GET", dataPack);
    assertThat(data.status()).as(data.text()).isEqualTo(403);
    assertThat(data.error()).isEqualTo("forbidden");
    Response ranged = call("GET", objects("acme") + "/" + dataPack, token(ACME_WRITE_ONLY), null,
        Map.of("Range", "bytes=0-99"));
    assertThat(ranged.status()).as(ranged.text()).isEqualTo(403);

    Response tree = objectAs(ACME_WRITE_ONLY, "GET", treePack);
    assertThat(tree.status()).as(tree.text()).isEqualTo(200);
    for (String key : List.of(StoreKeys.CONFIG, keyFile, indexSegment, snapshotKey, existingMarker)) {
      assertThat(objectAs(ACME_WRITE_ONLY, "GET", key).status()).as("write-only reads %s", key).isEqualTo(200);
    }
    // The agents that may read file contents do.
    assertThat(objectAs(ACME_APPEND, "GET", dataPack).status()).isEqualTo(200);
    assertThat(objectAs(ACME_RESTORE, "GET", dataPack).status()).isEqualTo(200);
    // Still refused the second time (the server caches what each pack holds).
    assertThat(objectAs(ACME_WRITE_ONLY, "GET", dataPack).status()).isEqualTo(403);
  }

  @Test
  void agentsDeleteNothingButTheirOwnSessionMarkers() {
    List<String> keep = List.of(StoreKeys.CONFIG, keyFile, dataPack, treePack, indexSegment, snapshotKey,
        "snapshots/" + randomHex(), "data/ab/ab" + randomHex().substring(2));
    for (Who agent : List.of(ACME_APPEND, ACME_WRITE_ONLY, ACME_RESTORE)) {
      for (String key : keep) {
        Response r = objectAs(agent, "DELETE", key);
        assertThat(r.status()).as("DELETE %s as %s: %s", key, agent, r.text()).isEqualTo(403);
        assertThat(r.error()).isEqualTo("forbidden");
      }
    }
    for (String key : keep.subList(0, 6)) {
      assertThat(objectAs(ACME_APPEND, "HEAD", key).status()).as("%s is still there", key).isEqualTo(200);
    }

    // Another agent's marker, both ways, and the restore agent's attempt on either.
    String appendsMarker = putMarker(ACME_APPEND);
    String writeOnlysMarker = putMarker(ACME_WRITE_ONLY);
    assertThat(objectAs(ACME_WRITE_ONLY, "DELETE", appendsMarker).status()).isEqualTo(403);
    assertThat(objectAs(ACME_APPEND, "DELETE", writeOnlysMarker).status()).isEqualTo(403);
    assertThat(objectAs(ACME_RESTORE, "DELETE", appendsMarker).status()).isEqualTo(403);
    assertThat(objectAs(ACME_RESTORE, "DELETE", writeOnlysMarker).status()).isEqualTo(403);
    // A second agent of the same scope is another agent too.
    String secondAppend = vault.enrollAgent("acme", "main", "append", unique("second"));
    Response r = call("DELETE", objects("acme") + "/" + appendsMarker, secondAppend, null);
    assertThat(r.status()).as(r.text()).isEqualTo(403);
    // An agent of another tenant does not even see the repository.
    assertThat(call("DELETE", objects("acme") + "/" + appendsMarker, token(GLOBEX_APPEND), null).status())
        .isEqualTo(404);
    assertThat(objectAs(ACME_APPEND, "HEAD", appendsMarker).status()).isEqualTo(200);
    assertThat(objectAs(ACME_APPEND, "HEAD", writeOnlysMarker).status()).isEqualTo(200);

    // The owners can.
    assertThat(objectAs(ACME_APPEND, "DELETE", appendsMarker).status()).isEqualTo(204);
    assertThat(objectAs(ACME_WRITE_ONLY, "DELETE", writeOnlysMarker).status()).isEqualTo(204);
    assertThat(objectAs(ACME_APPEND, "HEAD", appendsMarker).status()).isEqualTo(404);
    assertThat(objectAs(ACME_APPEND, "HEAD", writeOnlysMarker).status()).isEqualTo(404);
  }

  @Test
  void nothingStoredLeaksAcrossTenants() {
    // globex's agent lists its own (empty) repository, not acme's.
    Response list = call("GET", objects("globex") + "?prefix=data/", token(GLOBEX_APPEND), null);
    assertThat(list.status()).as(list.text()).isEqualTo(200);
    assertThat(list.json().path("objects")).isEmpty();
    Response acme = call("GET", objects("acme") + "?prefix=data/", token(ACME_APPEND), null);
    assertThat(acme.json().path("objects").size()).isGreaterThanOrEqualTo(2);
    // And cannot read acme's objects through its own repository's path either.
    assertThat(call("GET", objects("globex") + "/" + dataPack, token(GLOBEX_APPEND), null).status())
        .isEqualTo(404);
  }
}
