package io.cairn.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cairn.store.PinnedTrust;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A real vault server for tests: TLS with a self-signed certificate on a free port, a temp data
 * directory, no schedules (tests start jobs themselves), and an HTTP client that pins it.
 */
public final class TestVault implements AutoCloseable {
  public static final String ADMIN_PASSWORD = "admin-password-1";
  static final ObjectMapper JSON = new ObjectMapper();

  public final Path data;
  public final VaultServer server;
  public final String base;
  public final String fingerprint;
  private final HttpClient http;
  private String adminToken;

  /** An HTTP answer: status, parsed JSON (or null), raw text, headers. */
  public record Response(int status, JsonNode json, String text, java.net.http.HttpHeaders headers) {
    public String error() {
      return json == null ? null : json.path("error").asText(null);
    }
  }

  private TestVault(Path data, VaultServer server) {
    this.data = data;
    this.server = server;
    this.base = "https://localhost:" + server.port();
    this.fingerprint = server.fingerprint();
    this.http = HttpClient.newBuilder().sslContext(PinnedTrust.context(fingerprint))
        .connectTimeout(Duration.ofSeconds(10)).build();
  }

  public static TestVault start(Path data) {
    return start(data, 0, Map.of());
  }

  /** {@code settings} are server.properties keys, e.g. jobs.gc.grace=0s. */
  public static TestVault start(Path data, int port, Map<String, String> settings) {
    Map<String, String> env = new HashMap<>();
    env.put(ServerConfig.envName("listen.host"), "127.0.0.1");
    env.put(ServerConfig.envName("jobs.gc.interval"), "0");
    env.put(ServerConfig.envName("jobs.scrub.interval"), "0");
    env.put(ServerConfig.envName("jobs.retention.interval"), "0");
    env.put(ServerConfig.envName("shutdown.grace"), "2s");
    settings.forEach((k, v) -> env.put(ServerConfig.envName(k), v));
    ServerConfig c = ServerConfig.load(data, null, env).withPort(port);
    VaultServer s = new VaultServer(c, Clock.systemUTC()).start(ADMIN_PASSWORD);
    return new TestVault(data, s);
  }

  public String adminToken() {
    if (adminToken == null) {
      adminToken = login("admin", ADMIN_PASSWORD);
    }
    return adminToken;
  }

  public String login(String user, String password) {
    Response r = call("POST", "/api/v1/login", null, Map.of("username", user, "password", password));
    if (r.status() != 200) {
      throw new IllegalStateException("login of " + user + " failed: " + r.text());
    }
    return r.json().path("token").asText();
  }

  public Response call(String method, String path, String token, Object body) {
    return call(method, path, token, body, Map.of());
  }

  public Response call(String method, String path, String token, Object body, Map<String, String> headers) {
    try {
      HttpRequest.BodyPublisher p = body == null ? HttpRequest.BodyPublishers.noBody()
          : body instanceof byte[] b ? HttpRequest.BodyPublishers.ofByteArray(b)
          : HttpRequest.BodyPublishers.ofString(body instanceof String s ? s : JSON.writeValueAsString(body));
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
          .method(method, p);
      if (token != null) {
        b.header("Authorization", "Bearer " + token);
      }
      headers.forEach(b::header);
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode json = null;
      String ct = r.headers().firstValue("Content-Type").orElse("");
      if (ct.startsWith("application/json") && !r.body().isEmpty()) {
        json = JSON.readTree(r.body());
      }
      return new Response(r.statusCode(), json, r.body(), r.headers());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Calls as the provider's administrator and insists on a 2xx answer. */
  public JsonNode admin(String method, String path, Object body) {
    Response r = call(method, path, adminToken(), body);
    if (r.status() / 100 != 2) {
      throw new IllegalStateException(method + " " + path + " → " + r.status() + " " + r.text());
    }
    return r.json();
  }

  public void createTenant(String slug, Long softQuota, Long hardQuota) {
    Map<String, Object> b = new HashMap<>();
    b.put("slug", slug);
    b.put("softQuotaBytes", softQuota);
    b.put("hardQuotaBytes", hardQuota);
    admin("POST", "/api/v1/tenants", b);
  }

  public void createRepository(String tenant, String repo) {
    admin("POST", "/api/v1/tenants/" + tenant + "/repos", Map.of("name", repo));
  }

  public String enrollmentToken(String tenant, String repo, String scope) {
    return admin("POST", "/api/v1/tenants/" + tenant + "/enrollments", Map.of("repository", repo, "scope", scope,
        "maxUses", 100)).path("token").asText();
  }

  /** Enrolls a machine directly; returns its agent credential. */
  public String enrollAgent(String tenant, String repo, String scope, String name) {
    Response r = call("POST", "/api/v1/enroll", null, Map.of("token", enrollmentToken(tenant, repo, scope),
        "name", name));
    if (r.status() != 201) {
      throw new IllegalStateException("enroll failed: " + r.text());
    }
    return r.json().path("credential").asText();
  }

  public String repositoryUrl(String tenant, String repo) {
    return base + "/repos/" + tenant + "/" + repo;
  }

  public RepoHandle repository(String tenant, String repo) {
    return server.repositories().all().stream().filter(h -> h.label().equals(tenant + "/" + repo)).findFirst()
        .orElseThrow();
  }

  @Override
  public void close() {
    server.close();
  }
}
