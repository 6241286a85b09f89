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
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** An HTTP client of a vault server for tests, pinning its certificate. */
public class VaultClient {
  public static final String ADMIN_PASSWORD = "admin-password-1";
  static final ObjectMapper JSON = new ObjectMapper();

  public final String base;
  public final String fingerprint;
  private final HttpClient http;
  private String adminToken;
  private String adminPassword = ADMIN_PASSWORD;

  public VaultClient(String base, String fingerprint) {
    this(base, fingerprint, null);
  }

  /** A client whose connections come from {@code local} (another loopback address: another machine to the server). */
  public VaultClient(String base, String fingerprint, java.net.InetAddress local) {
    this.base = base;
    this.fingerprint = fingerprint;
    HttpClient.Builder b = HttpClient.newBuilder().sslContext(PinnedTrust.context(fingerprint))
        .connectTimeout(Duration.ofSeconds(10));
    if (local != null) {
      b.localAddress(local);
    }
    this.http = b.build();
  }

  public String adminToken() {
    if (adminToken == null) {
      adminToken = login("admin", adminPassword);
    }
    return adminToken;
  }

  public String login(String user, String password) {
    TestVault.Response r = call("POST", "/api/v1/login", null, Map.of("username", user, "password", password));
    if (r.status() != 200) {
      throw new IllegalStateException("login of " + user + " failed: " + r.text());
    }
    return r.json().path("token").asText();
  }

  public TestVault.Response call(String method, String path, String token, Object body) {
    return call(method, path, token, body, Map.of());
  }

  public TestVault.Response call(String method, String path, String token, Object body, Map<String, String> headers) {
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
      return new TestVault.Response(r.statusCode(), json, r.body(), r.headers());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Calls as the provider's administrator and insists on a 2xx answer. */
  public JsonNode admin(String method, String path, Object body) {
    TestVault.Response r = call(method, path, adminToken(), body);
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
    TestVault.Response r = call("POST", "/api/v1/enroll", null, Map.of("token", enrollmentToken(tenant, repo, scope),
        "name", name));
    if (r.status() != 201) {
      throw new IllegalStateException("enroll failed: " + r.text());
    }
    return r.json().path("credential").asText();
  }

  public String repositoryUrl(String tenant, String repo) {
    return base + "/repos/" + tenant + "/" + repo;
  }

}
