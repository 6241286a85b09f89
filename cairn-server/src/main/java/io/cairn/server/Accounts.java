package io.cairn.server;

import io.cairn.server.Principal.Role;
import io.cairn.server.Principal.Scope;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Tenants, users, tokens and agents: who may call the server, and as what. Token lookups are
 * cached in memory and the cache is dropped on every change that can revoke access, so a revoked
 * token stops working with the next request.
 */
public final class Accounts {
  static final Pattern SLUG = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}");
  static final Duration SESSION_LIFETIME = Duration.ofHours(12);

  private final Database db;
  private final Clock clock;
  private final Map<String, Principal> cache = new ConcurrentHashMap<>();
  private final LoginThrottle throttle;

  public Accounts(Database db, Clock clock) {
    this.db = db;
    this.clock = clock;
    this.throttle = new LoginThrottle(clock);
  }

  // ---- authentication ----

  /** The principal a bearer token stands for, or empty when the token is unknown, expired or revoked. */
  public Optional<Principal> authenticate(String token) {
    if (token == null || token.length() > 200) {
      return Optional.empty();
    }
    Principal cached = cache.get(token);
    if (cached != null) {
      return Optional.of(cached);
    }
    String hash = Secrets.tokenHash(token);
    Optional<Principal> p;
    if (token.startsWith("cairn_agent_")) {
      p = db.jdbi().withHandle(h -> h.createQuery("SELECT a.id, a.tenant_id, a.repository_id, a.name, a.scope "
          + "FROM agents a JOIN tenants t ON t.id = a.tenant_id WHERE a.credential_hash = ? AND a.revoked_at IS NULL")
          .bind(0, hash).map((rs, ctx) -> (Principal) new Principal.Agent(rs.getLong(1), rs.getLong(2), rs.getLong(3),
              rs.getString(4), Scope.of(rs.getString(5)))).findOne());
    } else {
      String now = clock.instant().toString();
      record Found(Principal principal, boolean session) {}
      Optional<Found> f = db.jdbi().withHandle(h -> h.createQuery("SELECT u.id, u.tenant_id, u.username, u.role, "
          + "k.id, k.kind FROM user_tokens k JOIN users u ON u.id = k.user_id WHERE k.token_hash = ? AND "
          + "k.revoked_at IS NULL AND u.disabled = 0 AND (k.expires_at IS NULL OR k.expires_at > ?)")
          .bind(0, hash).bind(1, now).map((rs, ctx) -> {
            long tenant = rs.getLong(2);
            Long tenantId = rs.wasNull() ? null : tenant;
            return new Found(new Principal.User(rs.getLong(1), tenantId, rs.getString(3), Role.of(rs.getString(4)),
                rs.getLong(5)), "session".equals(rs.getString(6)));
          }).findOne());
      p = f.map(Found::principal);
      // Sessions expire: do not cache them past their expiry.
      if (f.isPresent() && f.get().session()) {
        return p;
      }
    }
    p.ifPresent(x -> cache.put(token, x));
    return p;
  }

  /** Drops cached token lookups; called after anything that may revoke access. */
  public void invalidate() {
    cache.clear();
  }

  /**
   * Logs in: a session token valid for 12 hours. A user with two-factor authentication must also
   * give the current code. Failures slow down further attempts of the same user name from the
   * same address, and of one address for any name ({@link LoginThrottle}).
   */
  public Map<String, Object> login(String username, char[] password, String totp, String remote) {
    Duration wait = throttle.waitFor(username, remote);
    if (!wait.isZero()) {
      long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
      throw ApiException.rateLimited("too many failed logins from this address; try again in "
          + io.cairn.text.Units.span(Duration.ofSeconds(seconds)) + ", or ask an administrator to unlock the account",
          seconds);
    }
    Optional<Map<String, Object>> user = username == null ? Optional.empty() : db.jdbi().withHandle(h ->
        h.createQuery("SELECT id, password_hash, disabled, totp_secret FROM users WHERE username = ?")
            .bind(0, username).mapToMap().findOne());
    // Hash even for unknown users so that timing does not tell which names exist.
    String stored = user.map(u -> (String) u.get("password_hash")).orElse(DUMMY_HASH);
    boolean ok = Secrets.verifyPassword(password, stored) && user.isPresent()
        && ((Number) user.get().get("disabled")).intValue() == 0;
    if (!ok) {
      throttle.failed(username, remote);
      throw new ApiException(401, "login_failed", "wrong user name or password");
    }
    String secret = (String) user.get().get("totp_secret");
    if (secret != null) {
      if (totp == null || totp.isBlank()) {
        throw new ApiException(401, "totp_required", "enter the six-digit code from your authenticator app");
      }
      if (!Totp.verify(secret, totp.trim(), clock.instant())) {
        throttle.failed(username, remote);
        throw new ApiException(401, "totp_failed", "the code is wrong or has expired; enter the current one");
      }
    }
    throttle.succeeded(username, remote);
    long userId = ((Number) user.get().get("id")).longValue();
    String token = Secrets.newToken("session");
    Instant expires = clock.instant().plus(SESSION_LIFETIME);
    db.jdbi().useHandle(h -> h.createUpdate("INSERT INTO user_tokens (user_id, kind, name, token_hash, created_at, "
        + "expires_at) VALUES (?, 'session', ?, ?, ?, ?)").bind(0, userId).bind(1, "login from " + remote)
        .bind(2, Secrets.tokenHash(token)).bind(3, clock.instant().toString()).bind(4, expires.toString()).execute());
    return Map.of("token", token, "expiresAt", expires.toString(), "csrf", csrf(token));
  }

  /** The CSRF token that goes with a session token: only a page that saw the login answer knows it. */
  public static String csrf(String token) {
    return java.util.HexFormat.of().formatHex(io.cairn.crypto.Sha256.digest(("cairn csrf\0" + token)
        .getBytes(java.nio.charset.StandardCharsets.UTF_8))).substring(0, 32);
  }

  // ---- two-factor authentication ----

  /** Starts setting up two-factor authentication: a new secret waits for its first code. */
  public Map<String, Object> beginTotp(long userId, String username) {
    String secret = Totp.newSecret();
    db.jdbi().useHandle(h -> h.createUpdate("UPDATE users SET totp_pending = ? WHERE id = ?").bind(0, secret)
        .bind(1, userId).execute());
    String uri = Totp.uri(secret, username, "Cairn");
    return Map.of("secret", secret, "uri", uri, "qrSvg", Totp.qrSvg(uri));
  }

  /** Turns two-factor authentication on once a code from the pending secret is right. */
  public void confirmTotp(long userId, String code) {
    String pending = db.jdbi().withHandle(h -> h.createQuery("SELECT totp_pending FROM users WHERE id = ?")
        .bind(0, userId).mapTo(String.class).findOne().orElse(null));
    if (pending == null) {
      throw ApiException.conflict("start two-factor setup first (POST /api/v1/me/totp)");
    }
    if (!Totp.verify(pending, code, clock.instant())) {
      throw ApiException.badRequest("the code is wrong or has expired; enter the current one from the app");
    }
    db.jdbi().useHandle(h -> h.createUpdate("UPDATE users SET totp_secret = totp_pending, totp_pending = NULL "
        + "WHERE id = ?").bind(0, userId).execute());
  }

  public boolean totpEnabled(long userId) {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT totp_secret IS NOT NULL FROM users WHERE id = ?")
        .bind(0, userId).mapTo(Boolean.class).one());
  }

  private static final String DUMMY_HASH = Secrets.hashPassword("not a password".toCharArray());

  public void revokeUserToken(long userId, long tokenId) {
    int n = db.jdbi().withHandle(h -> h.createUpdate("UPDATE user_tokens SET revoked_at = ? WHERE id = ? "
        + "AND user_id = ? AND revoked_at IS NULL").bind(0, clock.instant().toString()).bind(1, tokenId)
        .bind(2, userId).execute());
    if (n == 0) {
      throw ApiException.notFound("token #" + tokenId);
    }
    invalidate();
  }

  public Map<String, Object> createApiToken(long userId, String name) {
    String token = Secrets.newToken("api");
    long id = db.jdbi().withHandle(h -> h.createUpdate("INSERT INTO user_tokens (user_id, kind, name, token_hash, "
        + "created_at) VALUES (?, 'api', ?, ?, ?)").bind(0, userId).bind(1, text(name, "name", 100))
        .bind(2, Secrets.tokenHash(token)).bind(3, clock.instant().toString()).executeAndReturnGeneratedKeys("id")
        .mapTo(Long.class).one());
    return Map.of("id", id, "name", name, "token", token);
  }

  public List<Map<String, Object>> apiTokens(long userId) {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT id, kind, name, created_at AS createdAt, expires_at AS "
        + "expiresAt, revoked_at AS revokedAt FROM user_tokens WHERE user_id = ? AND kind = 'api' ORDER BY id")
        .bind(0, userId).mapToMap().list());
  }

  // ---- provider bootstrap ----

  /** Creates the provider's administrator on first start; returns the password, or empty if one exists. */
  public Optional<String> bootstrapAdmin(String username, String password) {
    boolean exists = db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM users WHERE role = 'provider_admin'")
        .mapTo(Integer.class).one()) > 0;
    if (exists) {
      return Optional.empty();
    }
    String pw = password != null && !password.isBlank() ? password : Secrets.newPassword();
    createUser(null, username, pw.toCharArray(), Role.PROVIDER_ADMIN);
    return Optional.of(pw);
  }

  // ---- tenants ----

  /** A new tenant; quotas not given come from the plan, when there is one. */
  public long createTenant(String slug, String name, Long softQuota, Long hardQuota, Long planId) {
    if (planId != null) {
      Map<String, Object> plan = db.jdbi().withHandle(h -> h.createQuery("SELECT soft_quota_bytes AS s, "
          + "hard_quota_bytes AS h FROM plans WHERE id = ?").bind(0, planId).mapToMap().findOne())
          .orElseThrow(() -> ApiException.badRequest("plan #" + planId + " does not exist"));
      softQuota = softQuota != null ? softQuota : asLong(plan.get("s"));
      hardQuota = hardQuota != null ? hardQuota : asLong(plan.get("h"));
    }
    Long soft = softQuota;
    Long hard = hardQuota;
    if (slug == null || !SLUG.matcher(slug).matches()) {
      throw ApiException.badRequest("tenant slug must be 1-63 characters of a-z, 0-9 and '-', starting with a "
          + "letter or digit");
    }
    checkQuotas(soft, hard);
    try {
      return db.jdbi().withHandle(h -> h.createUpdate("INSERT INTO tenants (slug, name, soft_quota_bytes, "
          + "hard_quota_bytes, created_at, plan_id) VALUES (?, ?, ?, ?, ?, ?)").bind(0, slug)
          .bind(1, text(name, "name", 200)).bind(2, soft).bind(3, hard).bind(4, clock.instant().toString())
          .bind(5, planId)
          .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
    } catch (org.jdbi.v3.core.statement.UnableToExecuteStatementException e) {
      throw ApiException.conflict("a tenant '" + slug + "' already exists");
    }
  }

  private static final String TENANT = "SELECT t.id, t.slug, t.name, t.soft_quota_bytes AS softQuotaBytes, "
      + "t.hard_quota_bytes AS hardQuotaBytes, t.suspended, t.created_at AS createdAt, t.plan_id AS planId, "
      + "p.name AS plan FROM tenants t LEFT JOIN plans p ON p.id = t.plan_id ";

  /** SQLite has no booleans: 0/1 columns become JSON booleans. */
  static Map<String, Object> booleans(Map<String, Object> row) {
    Map<String, Object> m = new java.util.LinkedHashMap<>(row);
    for (String k : List.of("suspended", "disabled", "totp")) {
      if (m.get(k) instanceof Number n) {
        m.put(k, n.intValue() != 0);
      }
    }
    return m;
  }

  static void checkQuotas(Long soft, Long hard) {
    if ((soft != null && soft < 0) || (hard != null && hard < 0)) {
      throw ApiException.badRequest("quotas are byte counts and cannot be negative");
    }
    if (soft != null && hard != null && soft > hard) {
      throw ApiException.badRequest("the soft quota (" + soft + ") cannot exceed the hard quota (" + hard + ")");
    }
  }

  public Map<String, Object> tenantBySlug(String slug) {
    return db.jdbi().withHandle(h -> h.createQuery(TENANT + "WHERE t.slug = ?")
        .bind(0, slug).mapToMap().findOne()).map(Accounts::booleans)
        .orElseThrow(() -> ApiException.notFound("tenant '" + slug + "'"));
  }

  public Map<String, Object> tenant(long id) {
    return db.jdbi().withHandle(h -> h.createQuery(TENANT + "WHERE t.id = ?")
        .bind(0, id).mapToMap().findOne()).map(Accounts::booleans)
        .orElseThrow(() -> ApiException.notFound("tenant #" + id));
  }

  public List<Map<String, Object>> tenants() {
    return db.jdbi().withHandle(h -> h.createQuery(TENANT + "ORDER BY t.slug").mapToMap().list()).stream()
        .map(Accounts::booleans).toList();
  }

  public void updateTenant(long id, String name, Long soft, Long hard, boolean clearSoft, boolean clearHard,
      Boolean suspended) {
    Map<String, Object> t = tenant(id);
    Long s = clearSoft ? null : soft != null ? soft : asLong(t.get("softQuotaBytes"));
    Long hq = clearHard ? null : hard != null ? hard : asLong(t.get("hardQuotaBytes"));
    checkQuotas(s, hq);
    db.jdbi().useHandle(h -> h.createUpdate("UPDATE tenants SET name = COALESCE(?, name), soft_quota_bytes = ?, "
        + "hard_quota_bytes = ?, suspended = COALESCE(?, suspended) WHERE id = ?")
        .bind(0, name == null ? null : text(name, "name", 200)).bind(1, s).bind(2, hq)
        .bind(3, suspended == null ? null : suspended ? 1 : 0).bind(4, id).execute());
    invalidate();
  }

  static Long asLong(Object o) {
    return o == null ? null : ((Number) o).longValue();
  }

  // ---- users ----

  public long createUser(Long tenantId, String username, char[] password, Role role) {
    if (username == null || !USERNAME.matcher(username).matches()) {
      throw ApiException.badRequest("user name must be 1-128 characters of letters, digits and . _ @ + -");
    }
    if (password == null || password.length < 12) {
      throw ApiException.badRequest("password must have at least 12 characters");
    }
    if ((role == Role.PROVIDER_ADMIN) != (tenantId == null)) {
      throw ApiException.badRequest("tenant users have the role tenant_admin or tenant_viewer");
    }
    String hash = Secrets.hashPassword(password);
    try {
      return db.jdbi().withHandle(h -> h.createUpdate("INSERT INTO users (tenant_id, username, password_hash, role, "
          + "created_at) VALUES (?, ?, ?, ?, ?)").bind(0, tenantId).bind(1, username).bind(2, hash)
          .bind(3, role.dbName).bind(4, clock.instant().toString()).executeAndReturnGeneratedKeys("id")
          .mapTo(Long.class).one());
    } catch (org.jdbi.v3.core.statement.UnableToExecuteStatementException e) {
      throw ApiException.conflict("the user name '" + username + "' is taken");
    }
  }

  /** Lets a user whose failed logins hold back further attempts try again at once, from every address. */
  public void unlockLogins(long tenantId, long userId) {
    String name = db.jdbi().withHandle(h -> h.createQuery("SELECT username FROM users WHERE id = ? AND tenant_id = ?")
        .bind(0, userId).bind(1, tenantId).mapTo(String.class).findOne())
        .orElseThrow(() -> ApiException.notFound("user #" + userId));
    throttle.unlock(name);
  }

  /**
   * Changes a tenant user: role, disabled (a disabled user cannot log in and every token of the
   * user stops working at once), or resets two-factor authentication (a lost phone).
   */
  public void updateUser(long tenantId, long userId, Role role, Boolean disabled, boolean resetTotp) {
    if (role == Role.PROVIDER_ADMIN) {
      throw ApiException.badRequest("tenant users have the role tenant_admin or tenant_viewer");
    }
    int n = db.jdbi().withHandle(h -> h.createUpdate("UPDATE users SET role = COALESCE(?, role), disabled = "
        + "COALESCE(?, disabled), totp_secret = CASE WHEN ? THEN NULL ELSE totp_secret END, totp_pending = CASE "
        + "WHEN ? THEN NULL ELSE totp_pending END WHERE id = ? AND tenant_id = ?")
        .bind(0, role == null ? null : role.dbName).bind(1, disabled == null ? null : disabled ? 1 : 0)
        .bind(2, resetTotp).bind(3, resetTotp).bind(4, userId).bind(5, tenantId).execute());
    if (n == 0) {
      throw ApiException.notFound("user #" + userId);
    }
    invalidate();
  }

  public List<Map<String, Object>> users(long tenantId) {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT id, username, role, disabled, created_at AS createdAt, "
        + "totp_secret IS NOT NULL AS totp FROM users WHERE tenant_id = ? ORDER BY username").bind(0, tenantId)
        .mapToMap().list()).stream().map(Accounts::booleans).map(u -> {
          Optional<LoginThrottle.State> t = throttle.state((String) u.get("username"));
          u.put("failedLogins", t.map(LoginThrottle.State::failures).orElse(0));
          u.put("loginsHeldUntil", t.map(LoginThrottle.State::blockedUntil).map(Instant::toString).orElse(null));
          return u;
        }).toList();
  }

  // ---- repositories ----

  public long createRepository(long tenantId, String name, String retention, int immutabilityDays) {
    if (name == null || !SLUG.matcher(name).matches()) {
      throw ApiException.badRequest("repository name must be 1-63 characters of a-z, 0-9 and '-'");
    }
    if (immutabilityDays < 0 || immutabilityDays > 36500) {
      throw ApiException.badRequest("immutabilityDays must be between 0 and 36500");
    }
    try {
      return db.jdbi().withHandle(h -> h.createUpdate("INSERT INTO repositories (tenant_id, name, retention, "
          + "immutability_days, created_at) VALUES (?, ?, ?, ?, ?)").bind(0, tenantId).bind(1, name)
          .bind(2, retention).bind(3, immutabilityDays).bind(4, clock.instant().toString())
          .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
    } catch (org.jdbi.v3.core.statement.UnableToExecuteStatementException e) {
      throw ApiException.conflict("this tenant already has a repository '" + name + "'");
    }
  }

  public Map<String, Object> repository(long tenantId, String name) {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT id, name, retention, immutability_days AS "
        + "immutabilityDays, physical_bytes AS physicalBytes, objects, created_at AS createdAt FROM repositories "
        + "WHERE tenant_id = ? AND name = ?").bind(0, tenantId).bind(1, name).mapToMap().findOne())
        .orElseThrow(() -> ApiException.notFound("repository '" + name + "'"));
  }

  public List<Map<String, Object>> repositories(long tenantId) {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT id, name, retention, immutability_days AS "
        + "immutabilityDays, physical_bytes AS physicalBytes, objects, created_at AS createdAt FROM repositories "
        + "WHERE tenant_id = ? ORDER BY name").bind(0, tenantId).mapToMap().list());
  }

  /** Immutability can be lengthened, never shortened: that is what makes it immutability. */
  public void updateRepository(long repoId, String retention, Integer immutabilityDays, boolean clearRetention) {
    db.jdbi().useTransaction(h -> {
      int current = h.createQuery("SELECT immutability_days FROM repositories WHERE id = ?").bind(0, repoId)
          .mapTo(Integer.class).one();
      if (immutabilityDays != null && immutabilityDays < current) {
        throw ApiException.conflict("the immutability window of this repository is " + current
            + " days and can only be lengthened");
      }
      if (immutabilityDays != null && immutabilityDays > 36500) {
        throw ApiException.badRequest("immutabilityDays must be at most 36500");
      }
      // "retention": null removes the policy (the server then forgets nothing in this repository).
      h.createUpdate("UPDATE repositories SET retention = CASE WHEN ? THEN NULL ELSE COALESCE(?, retention) END, "
          + "immutability_days = COALESCE(?, immutability_days) WHERE id = ?").bind(0, clearRetention)
          .bind(1, retention).bind(2, immutabilityDays).bind(3, repoId).execute();
    });
  }

  // ---- enrollment and agents ----

  public Map<String, Object> createEnrollment(long tenantId, long repoId, Scope scope, Duration ttl, int maxUses,
      String note, Long createdBy) {
    if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(Duration.ofDays(30)) > 0) {
      throw ApiException.badRequest("an enrollment token lives between 1 second and 30 days");
    }
    if (maxUses < 1 || maxUses > 10_000) {
      throw ApiException.badRequest("maxUses must be between 1 and 10000");
    }
    String token = Secrets.newToken("enroll");
    Instant expires = clock.instant().plus(ttl);
    long id = db.jdbi().withHandle(h -> h.createUpdate("INSERT INTO enrollment_tokens (tenant_id, repository_id, "
        + "scope, token_hash, note, created_by, created_at, expires_at, max_uses) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(0, tenantId).bind(1, repoId).bind(2, scope.dbName).bind(3, Secrets.tokenHash(token))
        .bind(4, note == null ? "" : text(note, "note", 200)).bind(5, createdBy).bind(6, clock.instant().toString())
        .bind(7, expires.toString()).bind(8, maxUses).executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
    return Map.of("id", id, "token", token, "scope", scope.dbName, "expiresAt", expires.toString(),
        "maxUses", maxUses);
  }

  public List<Map<String, Object>> enrollments(long tenantId) {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT e.id, r.name AS repository, e.scope, e.note, "
        + "e.created_at AS createdAt, e.expires_at AS expiresAt, e.max_uses AS maxUses, e.uses, e.revoked_at AS "
        + "revokedAt FROM enrollment_tokens e JOIN repositories r ON r.id = e.repository_id WHERE e.tenant_id = ? "
        + "ORDER BY e.id").bind(0, tenantId).mapToMap().list());
  }

  public void revokeEnrollment(long tenantId, long id) {
    int n = db.jdbi().withHandle(h -> h.createUpdate("UPDATE enrollment_tokens SET revoked_at = ? WHERE id = ? AND "
        + "tenant_id = ? AND revoked_at IS NULL").bind(0, clock.instant().toString()).bind(1, id).bind(2, tenantId)
        .execute());
    if (n == 0) {
      throw ApiException.notFound("enrollment token #" + id);
    }
  }

  /** Exchanges an enrollment token for an agent credential. */
  public Map<String, Object> enroll(String token, String name) {
    if (token == null || name == null || !USERNAME.matcher(name).matches()) {
      throw ApiException.badRequest("enroll needs the enrollment token and a machine name (letters, digits, . _ @ + -)");
    }
    String hash = Secrets.tokenHash(token);
    String now = clock.instant().toString();
    String credential = Secrets.newToken("agent");
    return db.jdbi().inTransaction(h -> {
      Map<String, Object> e = h.createQuery("SELECT e.id, e.tenant_id, e.repository_id, e.scope, e.uses, e.max_uses, "
          + "t.slug, r.name AS repo FROM enrollment_tokens e JOIN tenants t ON t.id = e.tenant_id JOIN repositories r "
          + "ON r.id = e.repository_id WHERE e.token_hash = ? AND e.revoked_at IS NULL AND e.expires_at > ?")
          .bind(0, hash).bind(1, now).mapToMap().findOne()
          .orElseThrow(() -> new ApiException(401, "enrollment_refused",
              "this enrollment token is unknown, expired or revoked; ask the tenant's administrator for a new one"));
      if (h.createQuery("SELECT suspended FROM tenants WHERE id = ?").bind(0, e.get("tenant_id"))
          .mapTo(Integer.class).one() != 0) {
        throw ApiException.forbidden("this tenant is suspended; machines cannot be enrolled until the provider "
            + "resumes it");
      }
      if (((Number) e.get("uses")).intValue() >= ((Number) e.get("max_uses")).intValue()) {
        throw new ApiException(401, "enrollment_refused", "this enrollment token has been used up; ask for a new one");
      }
      long enrollmentId = ((Number) e.get("id")).longValue();
      h.createUpdate("UPDATE enrollment_tokens SET uses = uses + 1 WHERE id = ?").bind(0, enrollmentId).execute();
      // A machine enrolled again under the name of one whose credential was revoked (for the same
      // repository) is that machine: its row comes back with the new credential, not a second row.
      Optional<Long> revoked = h.createQuery("SELECT id FROM agents WHERE tenant_id = ? AND repository_id = ? AND "
          + "name = ? AND revoked_at IS NOT NULL ORDER BY revoked_at DESC, id DESC LIMIT 1").bind(0, e.get("tenant_id"))
          .bind(1, e.get("repository_id")).bind(2, name).mapTo(Long.class).findOne();
      long agentId;
      if (revoked.isPresent()) {
        agentId = revoked.get();
        h.createUpdate("UPDATE agents SET enrollment_id = ?, scope = ?, credential_hash = ?, enrolled_at = ?, "
            + "revoked_at = NULL WHERE id = ?").bind(0, enrollmentId).bind(1, e.get("scope"))
            .bind(2, Secrets.tokenHash(credential)).bind(3, now).bind(4, agentId).execute();
      } else {
        agentId = h.createUpdate("INSERT INTO agents (tenant_id, repository_id, enrollment_id, name, scope, "
            + "credential_hash, enrolled_at) VALUES (?, ?, ?, ?, ?, ?, ?)").bind(0, e.get("tenant_id"))
            .bind(1, e.get("repository_id")).bind(2, enrollmentId).bind(3, name).bind(4, e.get("scope"))
            .bind(5, Secrets.tokenHash(credential)).bind(6, now).executeAndReturnGeneratedKeys("id")
            .mapTo(Long.class).one();
      }
      return Map.<String, Object>of("agentId", agentId, "credential", credential, "tenant", e.get("slug"),
          "repository", e.get("repo"), "tenantId", e.get("tenant_id"), "scope", e.get("scope"),
          "reenrolled", revoked.isPresent());
    });
  }

  /** An agent credential that was valid once and has been revoked: the machine's name and when. */
  public record RevokedAgent(String name, String revokedAt) {}

  public Optional<RevokedAgent> revokedAgent(String token) {
    if (token == null || !token.startsWith("cairn_agent_") || token.length() > 200) {
      return Optional.empty();
    }
    return db.jdbi().withHandle(h -> h.createQuery("SELECT name, revoked_at FROM agents WHERE credential_hash = ? "
        + "AND revoked_at IS NOT NULL").bind(0, Secrets.tokenHash(token))
        .map((rs, ctx) -> new RevokedAgent(rs.getString(1), rs.getString(2))).findOne());
  }

  public List<Map<String, Object>> agents(long tenantId) {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT a.id, a.name, r.name AS repository, a.scope, a.enrolled_at "
        + "AS enrolledAt, a.last_seen_at AS lastSeenAt, a.revoked_at AS revokedAt FROM agents a JOIN repositories r "
        + "ON r.id = a.repository_id WHERE a.tenant_id = ? ORDER BY a.id").bind(0, tenantId).mapToMap().list());
  }

  public void revokeAgent(long tenantId, long id) {
    int n = db.jdbi().withHandle(h -> h.createUpdate("UPDATE agents SET revoked_at = ? WHERE id = ? AND tenant_id = ? "
        + "AND revoked_at IS NULL").bind(0, clock.instant().toString()).bind(1, id).bind(2, tenantId).execute());
    if (n == 0) {
      throw ApiException.notFound("agent #" + id);
    }
    invalidate();
  }

  private final Map<Long, Instant> lastSeenWritten = new ConcurrentHashMap<>();

  /** Notes that an agent was seen, at most once a minute per agent. */
  public void seen(long agentId) {
    Instant now = clock.instant();
    Instant prev = lastSeenWritten.get(agentId);
    if (prev != null && prev.isAfter(now.minusSeconds(60))) {
      return;
    }
    lastSeenWritten.put(agentId, now);
    db.jdbi().useHandle(h -> h.createUpdate("UPDATE agents SET last_seen_at = ? WHERE id = ?")
        .bind(0, now.toString()).bind(1, agentId).execute());
  }

  static String text(String s, String what, int max) {
    if (s == null || s.isBlank() || s.length() > max || s.chars().anyMatch(c -> c < 0x20)) {
      throw ApiException.badRequest(what + " must be 1-" + max + " printable characters");
    }
    return s;
  }

}
