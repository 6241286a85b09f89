package io.cairn.server;

import io.cairn.text.Units;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cairn.format.CorruptObjectException;
import io.cairn.format.ObjectNotFoundException;
import io.cairn.server.Principal.Agent;
import io.cairn.server.Principal.Role;
import io.cairn.server.Principal.Scope;
import io.cairn.server.Principal.User;
import io.cairn.store.StoreEntry;
import io.cairn.store.StoreException;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API (docs/api.md). Every route is declared here with its {@link Access}; the access
 * check runs before the handler and the authorization test walks {@link #routes()}.
 */
public final class Api {
  private static final Logger LOG = LoggerFactory.getLogger(Api.class);
  /** Strict: a body is one JSON value and nothing after it. */
  static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
  static final String PRINCIPAL = "cairn.principal";
  static final String TENANT_ID = "cairn.tenantId";
  static final String COOKIE_TOKEN = "cairn.cookieToken";
  /** The browser session cookie: HttpOnly, Secure, SameSite=Strict (docs/console.md). */
  public static final String SESSION_COOKIE = "cairn_session";
  static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      + "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
      + "frame-ancestors 'none'";
  private static final int MAX_JSON_BODY = 64 << 10;
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d{1,15})-(\\d{1,15})");

  /** One route: method, path, who may call it. */
  public record Route(HandlerType method, String path, Access access, Handler handler) {}

  private final VaultServer vault;
  private final Accounts accounts;
  private final ObjectService objects;
  private final List<Route> routes = new ArrayList<>();

  Api(VaultServer vault) {
    this.vault = vault;
    this.accounts = vault.accounts();
    this.objects = vault.objects();
    declare();
  }

  public List<Route> routes() {
    return List.copyOf(routes);
  }

  private void route(HandlerType m, String path, Access access, Handler h) {
    routes.add(new Route(m, path, access, h));
  }

  private void declare() {
    route(HandlerType.GET, "/healthz", Access.PUBLIC, ctx -> ctx.json(Map.of("status", "ok")));
    route(HandlerType.GET, "/", Access.PUBLIC, ctx -> ctx.redirect("/console/"));
    route(HandlerType.POST, "/api/v1/login", Access.PUBLIC, this::login);
    route(HandlerType.POST, "/api/v1/enroll", Access.PUBLIC, this::enroll);
    route(HandlerType.GET, "/metrics", Access.METRICS, ctx -> {
      vault.metering().flush();
      ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(vault.metering().scrape());
    });

    route(HandlerType.GET, "/api/v1/me", Access.USER, this::me);
    route(HandlerType.GET, "/api/v1/server", Access.USER, ctx -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("fingerprint", vault.fingerprint());
      m.put("publicUrl", vault.publicUrl());
      m.put("version", io.cairn.server.VaultServer.class.getPackage().getImplementationVersion());
      ctx.json(m);
    });
    route(HandlerType.POST, "/api/v1/me/totp", Access.USER, ctx -> {
      User u = user(ctx);
      ctx.json(accounts.beginTotp(u.id(), u.username()));
    });
    route(HandlerType.POST, "/api/v1/me/totp/confirm", Access.USER, ctx -> {
      User u = user(ctx);
      accounts.confirmTotp(u.id(), text(body(ctx), "code"));
      audit(ctx, u.tenantId(), "totp.enable", "user " + u.username(), Map.of());
      ctx.json(Map.of("totp", true));
    });
    route(HandlerType.POST, "/api/v1/logout", Access.USER, ctx -> {
      User u = user(ctx);
      accounts.revokeUserToken(u.id(), u.tokenId());
      ctx.cookie(sessionCookie("", 0));
      ctx.status(204);
    });
    route(HandlerType.GET, "/api/v1/tokens", Access.USER, ctx -> ctx.json(accounts.apiTokens(user(ctx).id())));
    route(HandlerType.POST, "/api/v1/tokens", Access.USER, ctx -> {
      User u = user(ctx);
      Map<String, Object> t = accounts.createApiToken(u.id(), text(body(ctx), "name"));
      audit(ctx, u.tenantId(), "token.create", "user " + u.username(), Map.of("id", t.get("id")));
      ctx.status(201).json(t);
    });
    route(HandlerType.DELETE, "/api/v1/tokens/{id}", Access.USER, ctx -> {
      User u = user(ctx);
      accounts.revokeUserToken(u.id(), idParam(ctx, "id"));
      audit(ctx, u.tenantId(), "token.revoke", "user " + u.username(), Map.of("id", idParam(ctx, "id")));
      ctx.status(204);
    });

    route(HandlerType.GET, "/api/v1/dashboard", Access.PROVIDER, ctx -> ctx.json(vault.business().dashboard()));
    route(HandlerType.GET, "/api/v1/billing", Access.PROVIDER, ctx -> {
      java.time.YearMonth month = month(ctx);
      tableAnswer(ctx, vault.business().billing(month), "cairn-billing-" + month, List.of("tenant", "name", "plan",
          "month", "currency", "storageGbMonths", "storageCost", "egressGb", "egressCost", "total"));
    });
    route(HandlerType.GET, "/api/v1/plans", Access.PROVIDER, ctx -> ctx.json(vault.business().plans()));
    route(HandlerType.POST, "/api/v1/plans", Access.PROVIDER, ctx -> {
      ObjectNode b = body(ctx);
      long id = vault.business().savePlan(null, b);
      audit(ctx, null, "plan.create", "plan #" + id, Map.of("request", b.toString()));
      ctx.status(201).json(vault.business().plan(id));
    });
    route(HandlerType.PATCH, "/api/v1/plans/{id}", Access.PROVIDER, ctx -> {
      ObjectNode b = body(ctx);
      long id = vault.business().savePlan(idParam(ctx, "id"), b);
      audit(ctx, null, "plan.update", "plan #" + id, Map.of("request", b.toString()));
      ctx.json(vault.business().plan(id));
    });
    route(HandlerType.GET, "/api/v1/tenants", Access.PROVIDER, ctx -> ctx.json(accounts.tenants().stream()
        .map(t -> tenantView(((Number) t.get("id")).longValue())).toList()));
    route(HandlerType.POST, "/api/v1/tenants", Access.PROVIDER, this::createTenant);
    route(HandlerType.GET, "/api/v1/usage", Access.PROVIDER, ctx -> usage(ctx, null));
    route(HandlerType.GET, "/api/v1/jobs", Access.PROVIDER, ctx -> ctx.json(vault.maintenance().jobs(null, 200)));
    route(HandlerType.GET, "/api/v1/audit", Access.PROVIDER, ctx -> auditLog(ctx, null));

    String t = "/api/v1/tenants/{tenant}";
    route(HandlerType.GET, t, Access.TENANT_VIEW, ctx -> ctx.json(tenantView(tenantId(ctx))));
    route(HandlerType.PATCH, t, Access.PROVIDER, this::updateTenant);
    route(HandlerType.GET, t + "/repos", Access.TENANT_VIEW, ctx -> ctx.json(accounts.repositories(tenantId(ctx))));
    route(HandlerType.POST, t + "/repos", Access.TENANT_ADMIN, this::createRepository);
    route(HandlerType.GET, t + "/repos/{repo}", Access.TENANT_VIEW,
        ctx -> ctx.json(accounts.repository(tenantId(ctx), ctx.pathParam("repo"))));
    route(HandlerType.PATCH, t + "/repos/{repo}", Access.TENANT_ADMIN, this::updateRepository);
    route(HandlerType.GET, t + "/repos/{repo}/snapshots", Access.TENANT_VIEW, this::snapshots);
    route(HandlerType.POST, t + "/repos/{repo}/jobs", Access.PROVIDER, this::startJob);
    route(HandlerType.GET, t + "/users", Access.TENANT_ADMIN, ctx -> ctx.json(accounts.users(tenantId(ctx))));
    route(HandlerType.POST, t + "/users", Access.TENANT_ADMIN, this::createUser);
    route(HandlerType.PATCH, t + "/users/{id}", Access.TENANT_ADMIN, ctx -> {
      ObjectNode b = body(ctx);
      long id = idParam(ctx, "id");
      Boolean disabled = null;
      if (b.has("disabled")) {
        if (!b.get("disabled").isBoolean()) {
          throw ApiException.badRequest("'disabled' must be true or false");
        }
        disabled = b.get("disabled").asBoolean();
      }
      if (ctx.attribute(PRINCIPAL) instanceof User u && u.id() == id && Boolean.TRUE.equals(disabled)) {
        throw ApiException.conflict("you cannot disable your own account");
      }
      String role = optionalText(b, "role");
      accounts.updateUser(tenantId(ctx), id, role == null ? null : Role.of(role), disabled,
          b.path("resetTotp").asBoolean(false));
      if (b.path("unlockLogins").asBoolean(false)) {
        accounts.unlockLogins(tenantId(ctx), id);
      }
      audit(ctx, tenantId(ctx), "user.update", "user #" + id, Map.of("request", b.toString()));
      ctx.json(accounts.users(tenantId(ctx)).stream().filter(x -> ((Number) x.get("id")).longValue() == id)
          .findFirst().orElseThrow());
    });
    route(HandlerType.GET, t + "/enrollments", Access.TENANT_ADMIN,
        ctx -> ctx.json(accounts.enrollments(tenantId(ctx))));
    route(HandlerType.POST, t + "/enrollments", Access.TENANT_ADMIN, this::createEnrollment);
    route(HandlerType.DELETE, t + "/enrollments/{id}", Access.TENANT_ADMIN, ctx -> {
      accounts.revokeEnrollment(tenantId(ctx), idParam(ctx, "id"));
      audit(ctx, tenantId(ctx), "enrollment.revoke", "enrollment #" + idParam(ctx, "id"), Map.of());
      ctx.status(204);
    });
    route(HandlerType.GET, t + "/agents", Access.TENANT_VIEW, ctx -> ctx.json(accounts.agents(tenantId(ctx))));
    route(HandlerType.GET, t + "/machines", Access.TENANT_VIEW,
        ctx -> ctx.json(vault.business().machines(tenantId(ctx))));
    route(HandlerType.PATCH, t + "/agents/{id}", Access.TENANT_ADMIN, ctx -> {
      ObjectNode b = body(ctx);
      Long hours = optionalLong(b, "expectedIntervalHours");
      if (hours == null) {
        throw ApiException.badRequest("'expectedIntervalHours' is required");
      }
      vault.business().setExpectedInterval(tenantId(ctx), idParam(ctx, "id"), hours);
      audit(ctx, tenantId(ctx), "agent.update", "agent #" + idParam(ctx, "id"), Map.of("expectedIntervalHours", hours));
      ctx.json(Map.of("id", idParam(ctx, "id"), "expectedIntervalHours", hours));
    });
    route(HandlerType.GET, t + "/cost", Access.TENANT_VIEW, ctx -> ctx.json(vault.business().cost(tenantId(ctx),
        month(ctx))));
    route(HandlerType.DELETE, t + "/agents/{id}", Access.TENANT_ADMIN, ctx -> {
      accounts.revokeAgent(tenantId(ctx), idParam(ctx, "id"));
      audit(ctx, tenantId(ctx), "agent.revoke", "agent #" + idParam(ctx, "id"), Map.of());
      ctx.status(204);
    });
    route(HandlerType.GET, t + "/usage", Access.TENANT_VIEW, ctx -> usage(ctx, tenantId(ctx)));
    route(HandlerType.GET, t + "/jobs", Access.TENANT_VIEW,
        ctx -> ctx.json(vault.maintenance().jobs(tenantId(ctx), 200)));
    route(HandlerType.GET, t + "/audit", Access.TENANT_ADMIN, ctx -> auditLog(ctx, tenantId(ctx)));

    String o = "/api/v1/repos/{tenant}/{repo}/objects";
    route(HandlerType.GET, o, Access.AGENT, this::listObjects);
    route(HandlerType.GET, o + "/<key>", Access.AGENT, this::getObject);
    route(HandlerType.HEAD, o + "/<key>", Access.AGENT, this::headObject);
    route(HandlerType.PUT, o + "/<key>", Access.AGENT, this::putObject);
    route(HandlerType.DELETE, o + "/<key>", Access.AGENT, this::deleteObject);
  }

  /** Installs routes, the authentication step and the error mapping into a Javalin config. */
  void install(JavalinConfig config) {
    config.routes.before(ctx -> {
      ctx.header("Cache-Control", "no-store");
      ctx.header("X-Content-Type-Options", "nosniff");
      ctx.header("Content-Security-Policy", CSP);
      ctx.header("X-Frame-Options", "DENY");
      ctx.header("Referrer-Policy", "no-referrer");
      if (ctx.path().equals("/console")) {
        // The console's relative asset paths need the trailing slash.
        ctx.redirect("/console/");
        ctx.skipRemainingHandlers();
        return;
      }
      ctx.attribute(PRINCIPAL, authenticate(ctx));
    });
    for (Route r : routes) {
      config.routes.addHttpHandler(r.method(), r.path(), ctx -> {
        authorize(r, ctx);
        r.handler().handle(ctx);
      });
    }
    config.routes.exception(ApiException.class, (e, ctx) -> {
      if (e.retryAfterSeconds() > 0) {
        ctx.header("Retry-After", Long.toString(e.retryAfterSeconds()));
      }
      noteRefusal(ctx, e.code(), e.getMessage());
      error(ctx, e.status(), e.code(), e.getMessage());
    });
    config.routes.exception(ObjectNotFoundException.class, (e, ctx) -> error(ctx, 404, "not_found",
        "object " + ObjectService.abbreviate(ctx.pathParamMap().getOrDefault("key", "")) + " does not exist"));
    config.routes.exception(IllegalArgumentException.class,
        (e, ctx) -> error(ctx, 400, "bad_request", e.getMessage()));
    config.routes.exception(CorruptObjectException.class, (e, ctx) -> {
      noteRefusal(ctx, "invalid_object", e.getMessage());
      error(ctx, 422, "invalid_object", e.getMessage());
    });
    config.routes.exception(StoreException.class, (e, ctx) -> {
      if (e instanceof io.cairn.store.StoreUnavailableException) {
        // The object store did not answer within storage.retry-for: the agent retries on 503.
        LOG.warn("storage unavailable on {} {}: {}", ctx.method(), ctx.path(), e.getMessage());
        ctx.header("Retry-After", "10");
        error(ctx, 503, "storage_unavailable", "the server's object store is not answering; try again shortly");
        return;
      }
      LOG.error("storage error on {} {}", ctx.method(), ctx.path(), e);
      error(ctx, 500, "storage_error", "the server could not read or write its storage; try again later");
    });
    config.routes.exception(com.fasterxml.jackson.core.JacksonException.class,
        (e, ctx) -> error(ctx, 400, "bad_json", "the request body is not valid JSON: " + e.getOriginalMessage()));
    config.routes.exception(Exception.class, (e, ctx) -> {
      LOG.error("internal error on {} {}", ctx.method(), ctx.path(), e);
      error(ctx, 500, "internal_error", "internal server error; the server's log has the details");
    });
    config.routes.error(404, ctx -> {
      if (!ctx.result().contains("\"error\"")) {
        error(ctx, 404, "not_found", "no such endpoint: " + ctx.method() + " " + ObjectService.abbreviate(ctx.path()));
      }
    });
    config.routes.error(405, ctx -> error(ctx, 405, "method_not_allowed", "method not allowed here"));
  }

  private static void error(Context ctx, int status, String code, String message) {
    ctx.status(status).contentType("application/json").result(JSON.createObjectNode().put("error", code)
        .put("message", message).toString());
  }

  // ---- authentication and authorization ----

  private Principal authenticate(Context ctx) {
    String h = ctx.header("Authorization");
    if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
      String cookie = ctx.cookie(SESSION_COOKIE);
      if (cookie == null || cookie.isBlank()) {
        return new Principal.Anonymous();
      }
      // A browser session. An expired or revoked cookie is simply no session.
      Optional<Principal> p = accounts.authenticate(cookie);
      if (p.isEmpty() || !(p.get() instanceof User)) {
        return new Principal.Anonymous();
      }
      ctx.attribute(COOKIE_TOKEN, cookie);
      return p.get();
    }
    String token = h.substring(7).trim();
    String metrics = vault.config().metricsToken();
    if (metrics != null && !metrics.isBlank() && java.security.MessageDigest.isEqual(
        metrics.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        token.getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
      return new Principal.MetricsScraper();
    }
    Optional<Principal> p = accounts.authenticate(token);
    if (p.isEmpty()) {
      Optional<Accounts.RevokedAgent> revoked = accounts.revokedAgent(token);
      if (revoked.isPresent()) {
        throw new ApiException(401, "agent_revoked", "an administrator revoked this machine's credential (machine '"
            + revoked.get().name() + "', at " + revoked.get().revokedAt() + "); its backups are kept. To back up "
            + "again, ask the tenant's administrator for an enrollment token and run 'cairn enroll' with the same "
            + "machine name");
      }
      throw new ApiException(401, "bad_credentials", "the bearer token is unknown, expired or revoked; log in "
          + "again or enroll the agent again");
    }
    return p.get();
  }

  private void authorize(Route r, Context ctx) {
    Principal p = ctx.attribute(PRINCIPAL);
    if (r.access() == Access.PUBLIC) {
      return;
    }
    if (p instanceof Principal.Anonymous) {
      throw ApiException.unauthenticated();
    }
    String cookie = ctx.attribute(COOKIE_TOKEN);
    if (cookie != null && r.method() != HandlerType.GET && r.method() != HandlerType.HEAD) {
      // Changes made with a cookie must prove they come from the console's own pages.
      String sent = ctx.header("X-CSRF-Token");
      if (sent == null || !java.security.MessageDigest.isEqual(sent.getBytes(java.nio.charset.StandardCharsets.UTF_8),
          Accounts.csrf(cookie).getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
        throw new ApiException(403, "csrf", "this change needs the X-CSRF-Token header of the session; reload the page");
      }
    }
    boolean provider = p instanceof User u && u.role() == Role.PROVIDER_ADMIN;
    switch (r.access()) {
      case METRICS -> {
        if (!provider && !(p instanceof Principal.MetricsScraper)) {
          throw ApiException.forbidden("metrics are for the provider's administrators and the metrics token");
        }
      }
      case USER -> {
        if (!(p instanceof User)) {
          throw ApiException.forbidden("this endpoint is for logged-in users");
        }
      }
      case PROVIDER -> {
        if (!provider) {
          throw ApiException.forbidden("this endpoint is for the provider's administrators");
        }
        if (r.path().contains("{tenant}")) {
          ctx.attribute(TENANT_ID, tenantIdOf(ctx.pathParam("tenant")));
        }
      }
      case TENANT_VIEW, TENANT_ADMIN -> {
        if (!(p instanceof User u)) {
          throw ApiException.forbidden("this endpoint is for logged-in users");
        }
        long tenant = tenantIdOf(ctx.pathParam("tenant"));
        if (!provider) {
          // Another tenant's resources answer exactly as if they did not exist.
          if (u.tenantId() == null || u.tenantId() != tenant) {
            throw missingTenant(ctx.pathParam("tenant"));
          }
          if (r.access() == Access.TENANT_ADMIN && u.role() != Role.TENANT_ADMIN) {
            throw ApiException.forbidden("this needs the tenant_admin role; you are a " + u.role().dbName);
          }
        }
        ctx.attribute(TENANT_ID, tenant);
      }
      case AGENT -> {
        if (!(p instanceof Agent a)) {
          throw ApiException.forbidden("the object API is for enrolled agents; enroll with 'cairn enroll'");
        }
        RepoHandle h = vault.repositories().get(a.repositoryId());
        if (!h.tenantSlug.equals(ctx.pathParam("tenant")) || !h.name.equals(ctx.pathParam("repo"))) {
          throw ApiException.notFound("repository '" + ObjectService.abbreviate(ctx.pathParam("tenant")) + "/"
              + ObjectService.abbreviate(ctx.pathParam("repo")) + "'");
        }
        accounts.seen(a.id());
      }
      default -> throw new IllegalStateException("unhandled access " + r.access());
    }
  }

  /** The id of the tenant a path names; a missing one answers as {@link #missingTenant}. */
  private long tenantIdOf(String slug) {
    try {
      return ((Number) accounts.tenantBySlug(slug).get("id")).longValue();
    } catch (ApiException e) {
      throw missingTenant(slug);
    }
  }

  private static ApiException missingTenant(String slug) {
    return ApiException.notFound("tenant '" + ObjectService.abbreviate(slug) + "'");
  }

  private static User user(Context ctx) {
    return (User) ctx.attribute(PRINCIPAL);
  }

  private static Agent agent(Context ctx) {
    return (Agent) ctx.attribute(PRINCIPAL);
  }

  private static long tenantId(Context ctx) {
    Long id = ctx.attribute(TENANT_ID);
    return id;
  }

  private void audit(Context ctx, Long tenantId, String action, String target, Map<String, ?> detail) {
    vault.audit().record(ctx.attribute(PRINCIPAL), ctx.ip(), tenantId, action, target, detail);
  }

  // ---- request helpers ----

  static ObjectNode body(Context ctx) throws IOException {
    long declared = ctx.req().getContentLengthLong();
    byte[] b;
    try (InputStream in = ctx.bodyInputStream()) {
      if (declared > MAX_JSON_BODY) {
        throw tooLarge(in, declared);
      }
      b = in.readNBytes(MAX_JSON_BODY + 1);
      if (b.length > MAX_JSON_BODY) {
        throw tooLarge(in, -1);
      }
    }
    if (b.length == 0) {
      return JSON.createObjectNode();
    }
    JsonNode n = JSON.readTree(b);
    if (!(n instanceof ObjectNode o)) {
      throw ApiException.badRequest("the request body must be a JSON object");
    }
    return o;
  }

  /**
   * The answer to a JSON body over the limit. A body of moderate size is read and discarded
   * first, so that a client still sending it gets the answer instead of a reset connection;
   * anything larger is cut off unread.
   */
  private static ApiException tooLarge(InputStream in, long declared) throws IOException {
    if (declared <= DRAIN_LIMIT) {
      byte[] sink = new byte[8192];
      long total = 0;
      int n;
      while (total <= DRAIN_LIMIT && (n = in.read(sink)) > 0) {
        total += n;
      }
    }
    return new ApiException(413, "too_large", "JSON bodies are limited to " + Units.bytes(MAX_JSON_BODY));
  }

  private static final int DRAIN_LIMIT = 1 << 20;

  static String text(JsonNode b, String field) {
    JsonNode n = b.get(field);
    if (n == null || !n.isTextual() || n.asText().isBlank()) {
      throw ApiException.badRequest("'" + field + "' is required (a string)");
    }
    return n.asText();
  }

  static String optionalText(JsonNode b, String field) {
    JsonNode n = b.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw ApiException.badRequest("'" + field + "' must be a string");
    }
    return n.asText();
  }

  static Long optionalLong(JsonNode b, String field) {
    JsonNode n = b.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.canConvertToLong() || !n.isIntegralNumber()) {
      throw ApiException.badRequest("'" + field + "' must be a whole number");
    }
    return n.asLong();
  }

  static java.time.YearMonth month(Context ctx) {
    String month = ctx.queryParam("month");
    try {
      return month == null ? java.time.YearMonth.now(java.time.ZoneOffset.UTC) : java.time.YearMonth.parse(month);
    } catch (java.time.format.DateTimeParseException e) {
      throw ApiException.badRequest("month is YYYY-MM, such as 2026-11");
    }
  }

  /**
   * Rows as JSON, or with {@code format=csv} as a CSV download of the given columns (headers are
   * the keys in snake_case): numbers as plain decimals, text quoted when it holds a comma, quote
   * or line break, and text starting with = + - @ prefixed with ' so spreadsheets do not run it.
   */
  static void tableAnswer(Context ctx, List<Map<String, Object>> rows, String filename, List<String> columns) {
    if (!"csv".equals(ctx.queryParam("format"))) {
      ctx.json(rows);
      return;
    }
    StringBuilder s = new StringBuilder();
    s.append(String.join(",", columns.stream().map(c -> c.replaceAll("([A-Z])", "_$1").toLowerCase(
        java.util.Locale.ROOT)).toList())).append('\n');
    for (Map<String, Object> r : rows) {
      s.append(String.join(",", columns.stream().map(c -> csvCell(r.get(c))).toList())).append('\n');
    }
    ctx.contentType("text/csv; charset=utf-8").header("Content-Disposition",
        "attachment; filename=\"" + filename + ".csv\"").result(s.toString());
  }

  static String csvCell(Object v) {
    if (v == null) {
      return "";
    }
    if (v instanceof java.math.BigDecimal d) {
      return d.toPlainString();
    }
    if (v instanceof Number) {
      return v.toString();
    }
    String s = v.toString();
    if (!s.isEmpty() && "=+-@".indexOf(s.charAt(0)) >= 0) {
      s = "'" + s;
    }
    return s.matches("(?s).*[,\"\r\n].*") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }

  static long idParam(Context ctx, String name) {
    String v = ctx.pathParam(name);
    if (!v.matches("\\d{1,18}")) {
      throw ApiException.badRequest("'" + ObjectService.abbreviate(v) + "' is not an id");
    }
    return Long.parseLong(v);
  }

  // ---- handlers: accounts ----

  private void login(Context ctx) throws IOException {
    ObjectNode b = body(ctx);
    String username = text(b, "username");
    try {
      Map<String, Object> r = accounts.login(username, text(b, "password").toCharArray(), optionalText(b, "totp"),
          ctx.ip());
      Principal who = accounts.authenticate((String) r.get("token")).orElseThrow();
      vault.audit().record(who, ctx.ip(), who instanceof User u ? u.tenantId() : null, "login", "user " + username,
          Map.of());
      if ("cookie".equals(optionalText(b, "session"))) {
        // A browser: the token goes only into the HttpOnly cookie, never into what a page can read.
        ctx.cookie(sessionCookie((String) r.get("token"), (int) Accounts.SESSION_LIFETIME.toSeconds()));
        Map<String, Object> out = new LinkedHashMap<>(r);
        out.remove("token");
        ctx.json(out);
      } else {
        Map<String, Object> out = new LinkedHashMap<>(r);
        out.remove("csrf");
        ctx.json(out);
      }
    } catch (ApiException e) {
      vault.audit().record(new Principal.Anonymous(), ctx.ip(), null, "login.failed",
          "user " + ObjectService.abbreviate(username), Map.of("reason", e.code()));
      throw e;
    }
  }

  static io.javalin.http.Cookie sessionCookie(String value, int maxAge) {
    io.javalin.http.Cookie c = new io.javalin.http.Cookie(SESSION_COOKIE, value);
    c.setPath("/");
    c.setHttpOnly(true);
    c.setSecure(true);
    c.setSameSite(io.javalin.http.SameSite.STRICT);
    c.setMaxAge(maxAge);
    return c;
  }

  private void me(Context ctx) {
    User u = user(ctx);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", u.id());
    m.put("username", u.username());
    m.put("role", u.role().dbName);
    m.put("tenant", u.tenantId() == null ? null : accounts.tenant(u.tenantId()).get("slug"));
    m.put("totp", accounts.totpEnabled(u.id()));
    String cookie = ctx.attribute(COOKIE_TOKEN);
    if (cookie != null) {
      m.put("csrf", Accounts.csrf(cookie));
    }
    ctx.json(m);
  }

  private void createTenant(Context ctx) throws IOException {
    ObjectNode b = body(ctx);
    String slug = text(b, "slug");
    long id = accounts.createTenant(slug, b.hasNonNull("name") ? text(b, "name") : slug,
        optionalLong(b, "softQuotaBytes"), optionalLong(b, "hardQuotaBytes"), optionalLong(b, "plan"));
    vault.metering().watchTenant(id);
    audit(ctx, id, "tenant.create", "tenant " + slug, Map.of("request", b.toString()));
    ctx.status(201).json(tenantView(id));
  }

  private void updateTenant(Context ctx) throws IOException {
    ObjectNode b = body(ctx);
    long id = tenantId(ctx);
    Boolean suspended = null;
    if (b.has("suspended")) {
      if (!b.get("suspended").isBoolean()) {
        throw ApiException.badRequest("'suspended' must be true or false");
      }
      suspended = b.get("suspended").asBoolean();
    }
    accounts.updateTenant(id, optionalText(b, "name"), optionalLong(b, "softQuotaBytes"),
        optionalLong(b, "hardQuotaBytes"), b.has("softQuotaBytes") && b.get("softQuotaBytes").isNull(),
        b.has("hardQuotaBytes") && b.get("hardQuotaBytes").isNull(), suspended);
    audit(ctx, id, "tenant.update", "tenant " + ctx.pathParam("tenant"), Map.of("request", b.toString()));
    ctx.json(tenantView(id));
  }

  private Map<String, Object> tenantView(long tenantId) {
    Map<String, Object> m = new LinkedHashMap<>(accounts.tenant(tenantId));
    m.put("physicalBytes", vault.repositories().tenantPhysicalBytes(tenantId));
    m.put("logicalBytes", vault.database().jdbi().withHandle(h -> h.createQuery("SELECT COALESCE(SUM(s.logical_bytes), "
        + "0) FROM snapshots s JOIN repositories r ON r.id = s.repository_id WHERE r.tenant_id = ?").bind(0, tenantId)
        .mapTo(Long.class).one()));
    return m;
  }

  private void createUser(Context ctx) throws IOException {
    ObjectNode b = body(ctx);
    Role role = Role.of(b.hasNonNull("role") ? text(b, "role") : "tenant_viewer");
    if (role == Role.PROVIDER_ADMIN) {
      throw ApiException.badRequest("tenant users have the role tenant_admin or tenant_viewer");
    }
    String username = text(b, "username");
    long id = accounts.createUser(tenantId(ctx), username, text(b, "password").toCharArray(), role);
    audit(ctx, tenantId(ctx), "user.create", "user " + username, Map.of("role", role.dbName, "id", id));
    ctx.status(201).json(Map.of("id", id, "username", username, "role", role.dbName));
  }

  private void createRepository(Context ctx) throws IOException {
    ObjectNode b = body(ctx);
    String name = text(b, "name");
    String retention = b.hasNonNull("retention") ? retentionJson(b.get("retention")) : null;
    Long days = optionalLong(b, "immutabilityDays");
    Object planId = accounts.tenant(tenantId(ctx)).get("planId");
    if (planId != null) {
      // A tenant on a plan gets the plan's retention and immutability unless the request says otherwise.
      Map<String, Object> plan = vault.business().plan(((Number) planId).longValue());
      if (retention == null && plan.get("retention") != null) {
        retention = plan.get("retention").toString();
      }
      if (days == null) {
        days = ((Number) plan.get("immutabilityDays")).longValue();
      }
    }
    if (days != null && (days < 0 || days > 36500)) {
      throw ApiException.badRequest("immutabilityDays must be between 0 and 36500");
    }
    long id = accounts.createRepository(tenantId(ctx), name, retention, days == null ? 0 : days.intValue());
    vault.repositories().open(id, tenantId(ctx), ctx.pathParam("tenant"), name);
    audit(ctx, tenantId(ctx), "repository.create", "repository " + ctx.pathParam("tenant") + "/" + name,
        Map.of("request", b.toString()));
    ctx.status(201).json(accounts.repository(tenantId(ctx), name));
  }

  private static String retentionJson(JsonNode n) {
    Maintenance.parsePolicy(n);
    return n.toString();
  }

  private void updateRepository(Context ctx) throws IOException {
    ObjectNode b = body(ctx);
    Map<String, Object> repo = accounts.repository(tenantId(ctx), ctx.pathParam("repo"));
    String retention = b.hasNonNull("retention") ? retentionJson(b.get("retention")) : null;
    Long days = optionalLong(b, "immutabilityDays");
    accounts.updateRepository(((Number) repo.get("id")).longValue(), retention,
        days == null ? null : (int) Math.min(days, Integer.MAX_VALUE),
        b.has("retention") && b.get("retention").isNull());
    audit(ctx, tenantId(ctx), "repository.update", "repository " + ctx.pathParam("tenant") + "/"
        + ctx.pathParam("repo"), Map.of("request", b.toString()));
    ctx.json(accounts.repository(tenantId(ctx), ctx.pathParam("repo")));
  }

  private void snapshots(Context ctx) {
    Map<String, Object> repo = accounts.repository(tenantId(ctx), ctx.pathParam("repo"));
    ctx.json(vault.database().jdbi().withHandle(h -> h.createQuery("SELECT snapshot_id AS id, time, host, tags, "
        + "logical_bytes AS logicalBytes, new_logical_bytes AS newLogicalBytes, new_stored_bytes AS newStoredBytes, "
        + "files, errors, locked_until AS lockedUntil, agent_id AS agentId FROM snapshots WHERE repository_id = ? "
        + "ORDER BY time DESC").bind(0, repo.get("id")).mapToMap().list()));
  }

  private void startJob(Context ctx) throws IOException {
    ObjectNode b = body(ctx);
    Map<String, Object> repo = accounts.repository(tenantId(ctx), ctx.pathParam("repo"));
    RepoHandle h = vault.repositories().get(((Number) repo.get("id")).longValue());
    String kind = text(b, "kind");
    long id = vault.maintenance().submit(h, kind, "api");
    audit(ctx, tenantId(ctx), "job.start", "repository " + h.label(), Map.of("kind", kind, "job", id));
    ctx.status(202).json(vault.maintenance().job(id));
  }

  private void createEnrollment(Context ctx) throws IOException {
    ObjectNode b = body(ctx);
    Map<String, Object> repo = accounts.repository(tenantId(ctx), text(b, "repository"));
    Scope scope = Scope.of(b.hasNonNull("scope") ? text(b, "scope") : "append");
    Duration ttl = b.hasNonNull("expiresIn") ? io.cairn.text.Units.parseDuration(text(b, "expiresIn"), "expiresIn")
        : Duration.ofDays(7);
    Long maxUses = optionalLong(b, "maxUses");
    Long creator = ctx.attribute(PRINCIPAL) instanceof User u ? u.id() : null;
    Map<String, Object> e = accounts.createEnrollment(tenantId(ctx), ((Number) repo.get("id")).longValue(), scope,
        ttl, maxUses == null ? 1 : (int) Math.min(maxUses, Integer.MAX_VALUE), optionalText(b, "note"), creator);
    audit(ctx, tenantId(ctx), "enrollment.create", "repository " + ctx.pathParam("tenant") + "/" + repo.get("name"),
        Map.of("id", e.get("id"), "scope", scope.dbName));
    Map<String, Object> out = new LinkedHashMap<>(e);
    out.put("repositoryUrl", vault.publicUrl() + "/repos/" + ctx.pathParam("tenant") + "/" + repo.get("name"));
    ctx.status(201).json(out);
  }

  private void enroll(Context ctx) throws IOException {
    ObjectNode b = body(ctx);
    Map<String, Object> r = accounts.enroll(optionalText(b, "token"), optionalText(b, "name"));
    long tenant = ((Number) r.get("tenantId")).longValue();
    Principal agent = accounts.authenticate((String) r.get("credential")).orElseThrow();
    vault.audit().record(agent, ctx.ip(), tenant, "agent.enroll",
        "repository " + r.get("tenant") + "/" + r.get("repository"), Map.of("agent", r.get("agentId"),
            "scope", r.get("scope"), "reenrolled", r.get("reenrolled")));
    Map<String, Object> out = new LinkedHashMap<>(r);
    out.remove("tenantId");
    out.put("repositoryUrl", vault.publicUrl() + "/repos/" + r.get("tenant") + "/" + r.get("repository"));
    ctx.status(201).json(out);
  }

  private void usage(Context ctx, Long tenantId) {
    vault.metering().flush();
    LocalDate today = LocalDate.now(java.time.ZoneOffset.UTC);
    String from = Optional.ofNullable(ctx.queryParam("from")).orElse(today.withDayOfMonth(1).toString());
    String to = Optional.ofNullable(ctx.queryParam("to")).orElse(today.toString());
    for (String d : List.of(from, to)) {
      if (!d.matches("\\d{4}-\\d{2}-\\d{2}")) {
        throw ApiException.badRequest("from and to are dates such as 2026-11-01");
      }
    }
    List<Map<String, Object>> rows = vault.database().jdbi().withHandle(h -> h.createQuery("SELECT t.slug AS tenant, "
        + "u.day, u.physical_bytes AS physicalBytes, u.logical_bytes AS logicalBytes, u.ingress_bytes AS "
        + "ingressBytes, u.egress_bytes AS egressBytes, u.requests, u.snapshots, u.snapshots_created AS "
        + "snapshotsCreated FROM usage_daily u JOIN tenants t ON t.id = u.tenant_id WHERE (? IS NULL OR "
        + "u.tenant_id = ?) AND u.day >= ? AND u.day <= ? ORDER BY t.slug, u.day").bind(0, tenantId)
        .bind(1, tenantId).bind(2, from).bind(3, to).mapToMap().list());
    tableAnswer(ctx, rows, "cairn-usage-" + from + "-" + to, List.of("tenant", "day", "physicalBytes", "logicalBytes",
        "ingressBytes", "egressBytes", "requests", "snapshots", "snapshotsCreated"));
  }

  private void auditLog(Context ctx, Long tenantId) {
    String action = ctx.queryParam("action");
    long before = ctx.queryParam("before") == null ? Long.MAX_VALUE : Long.parseLong(
        requireDigits(ctx.queryParam("before")));
    ctx.json(vault.database().jdbi().withHandle(h -> h.createQuery("SELECT a.id, a.at, a.actor_kind AS actorKind, "
        + "a.actor_name AS actor, t.slug AS tenant, a.action, a.target, a.detail, a.remote_addr AS remoteAddr "
        + "FROM audit_log a LEFT JOIN tenants t ON t.id = a.tenant_id WHERE (? IS NULL OR a.tenant_id = ?) "
        + "AND (? IS NULL OR a.action LIKE ? || '%') AND a.id < ? ORDER BY a.id DESC LIMIT 500")
        .bind(0, tenantId).bind(1, tenantId).bind(2, action).bind(3, action).bind(4, before).mapToMap().list()));
  }

  private static String requireDigits(String s) {
    if (!s.matches("\\d{1,18}")) {
      throw ApiException.badRequest("'" + ObjectService.abbreviate(s) + "' is not a number");
    }
    return s;
  }

  // ---- handlers: objects ----

  private void listObjects(Context ctx) {
    Agent a = agent(ctx);
    List<StoreEntry> entries = objects.list(a, ctx.queryParam("prefix"));
    List<Map<String, Object>> out = new ArrayList<>(entries.size());
    for (StoreEntry e : entries) {
      out.add(Map.of("key", e.key(), "size", e.size()));
    }
    byte[] body;
    try {
      body = JSON.writeValueAsBytes(Map.of("objects", out));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    vault.metering().request(a.tenantId(), 0, body.length);
    ctx.contentType("application/json").result(body);
  }

  private void headObject(Context ctx) {
    Agent a = agent(ctx);
    long size = objects.size(a, ctx.pathParam("key")).orElseThrow(
        () -> ApiException.notFound("object " + ObjectService.abbreviate(ctx.pathParam("key"))));
    vault.metering().request(a.tenantId(), 0, 0);
    ctx.header("Content-Length", String.valueOf(size)).status(200);
  }

  private void getObject(Context ctx) {
    Agent a = agent(ctx);
    String key = ctx.pathParam("key");
    String range = ctx.header("Range");
    byte[] data;
    if (range == null) {
      data = objects.read(a, key, 0, -1);
      ctx.status(200);
    } else {
      Matcher m = RANGE.matcher(range);
      if (!m.matches()) {
        throw new ApiException(416, "bad_range", "only one range of the form bytes=FIRST-LAST is supported");
      }
      long first = Long.parseLong(m.group(1));
      long last = Long.parseLong(m.group(2));
      if (last < first || last - first >= Integer.MAX_VALUE) {
        throw new ApiException(416, "bad_range", "range " + range + " is empty or too large");
      }
      long size = objects.size(a, key).orElseThrow(() -> ApiException.notFound("object " + key));
      if (last >= size) {
        throw new ApiException(416, "bad_range", "range " + range + " extends beyond the object (" + size
            + " bytes)");
      }
      data = objects.read(a, key, first, (int) (last - first + 1));
      ctx.status(206).header("Content-Range", "bytes " + first + "-" + last + "/" + size);
    }
    vault.metering().request(a.tenantId(), 0, data.length);
    ctx.contentType("application/octet-stream").result(data);
  }

  /**
   * A machine's upload or removal refused in a way that ends its backup is kept where the tenant
   * and the provider see it ({@link Refusals}); recording it never changes the answer.
   */
  private void noteRefusal(Context ctx, String code, String message) {
    if (ctx.attribute(PRINCIPAL) instanceof Agent a && ctx.pathParamMap().containsKey("key")
        && (ctx.method() == HandlerType.PUT || ctx.method() == HandlerType.DELETE)) {
      try {
        vault.refusals().refused(a, ctx.ip(), ctx.method().name(), ctx.pathParam("key"), code, message);
      } catch (RuntimeException e) {
        LOG.warn("could not record the refusal of {} {}: {}", ctx.method(), ctx.path(), e.toString());
      }
    }
  }

  private void putObject(Context ctx) throws IOException {
    Agent a = agent(ctx);
    String key = ctx.pathParam("key");
    ObjectService.checkKey(key);
    long length = ctx.req().getContentLengthLong();
    if (length < 0) {
      throw new ApiException(411, "length_required", "PUT needs a Content-Length header");
    }
    if (length > objects.maxObjectBytes()) {
      throw new ApiException(413, "too_large", "objects are limited to " + Units.bytes(objects.maxObjectBytes()));
    }
    ObjectService.Admission w = objects.admit(a, key);
    ObjectService.PutResult r;
    if (ObjectService.spooled(w)) {
      // A pack goes to disk as it arrives: the heap does not grow with the uploads in flight.
      java.nio.file.Path spool = objects.spoolFile(w);
      try {
        byte[] sha256 = receive(ctx, spool, length);
        vault.metering().request(a.tenantId(), length, 0);
        r = objects.put(w, spool, length, sha256);
      } finally {
        java.nio.file.Files.deleteIfExists(spool);
      }
    } else {
      byte[] data;
      try (InputStream in = ctx.bodyInputStream()) {
        data = in.readNBytes((int) length);
      } catch (IOException e) {
        throw bodyEnded(-1, length, e.getMessage());
      }
      if (data.length != length) {
        throw bodyEnded(data.length, length, null);
      }
      vault.metering().request(a.tenantId(), data.length, 0);
      r = objects.put(w, data);
    }
    if (r.warning() != null) {
      ctx.header("Cairn-Warning", r.warning());
    }
    ctx.status(r.created() ? 201 : 200).json(Map.of("created", r.created()));
  }

  /**
   * Copies exactly {@code length} bytes of the request body into {@code file}, 64 KiB at a time,
   * hashing them on the way (the body is never read back); answers their SHA-256.
   */
  private static byte[] receive(Context ctx, java.nio.file.Path file, long length) throws IOException {
    long got = 0;
    io.cairn.crypto.Sha256.Incremental sha = new io.cairn.crypto.Sha256.Incremental();
    try (InputStream in = ctx.bodyInputStream();
        java.nio.channels.FileChannel out = java.nio.channels.FileChannel.open(file,
            java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
      byte[] buf = new byte[64 << 10];
      while (got < length) {
        int n;
        try {
          n = in.read(buf, 0, (int) Math.min(buf.length, length - got));
        } catch (IOException e) {
          throw bodyEnded(got, length, e.getMessage());
        }
        if (n < 0) {
          break;
        }
        sha.update(buf, 0, n);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(buf, 0, n);
        while (b.hasRemaining()) {
          out.write(b);
        }
        got += n;
      }
    }
    if (got != length) {
      throw bodyEnded(got, length, null);
    }
    return sha.digest();
  }

  /**
   * A body shorter than its Content-Length, or one that stopped coming (the client went away or
   * stalled past the idle timeout): the client's failure, answered 400, not a server error.
   */
  private static ApiException bodyEnded(long got, long length, String why) {
    return ApiException.badRequest("the body ended " + (got >= 0 ? "after " + got + " of " : "before all of ")
        + length + " bytes" + (why == null ? "" : " (" + why + ")") + "; nothing was stored");
  }

  private void deleteObject(Context ctx) {
    Agent a = agent(ctx);
    boolean removed = objects.delete(a, ctx.pathParam("key"));
    vault.metering().request(a.tenantId(), 0, 0);
    if (!removed) {
      throw ApiException.notFound("object " + ObjectService.abbreviate(ctx.pathParam("key")));
    }
    ctx.status(204);
  }

}
