package io.cairn.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * A real vault server for tests: TLS with a self-signed certificate on a free port, a temp data
 * directory, no schedules (tests start jobs themselves), and an HTTP client that pins it.
 */
public final class TestVault extends VaultClient implements AutoCloseable {
  /** An HTTP answer: status, parsed JSON (or null), raw text, headers. */
  public record Response(int status, JsonNode json, String text, java.net.http.HttpHeaders headers) {
    public String error() {
      return json == null ? null : json.path("error").asText(null);
    }
  }

  public final Path data;
  public final VaultServer server;

  private TestVault(Path data, VaultServer server) {
    super("https://localhost:" + server.port(), server.fingerprint());
    this.data = data;
    this.server = server;
  }

  public static TestVault start(Path data) {
    return start(data, 0, Map.of());
  }

  /** {@code settings} are server.properties keys, e.g. jobs.gc.grace=0s. */
  public static TestVault start(Path data, int port, Map<String, String> settings) {
    return start(data, port, settings, java.util.function.UnaryOperator.identity());
  }

  /** As {@link #start(Path, int, Map)}, with {@code storeFaults} beneath the server's retries (bucket storage). */
  public static TestVault start(Path data, int port, Map<String, String> settings,
      java.util.function.UnaryOperator<io.cairn.store.BlobStore> storeFaults) {
    ServerConfig c = ServerConfig.load(data, null, testEnvironment(settings)).withPort(port);
    VaultServer s = new VaultServer(c, Clock.systemUTC(), storeFaults).start(ADMIN_PASSWORD);
    return new TestVault(data, s);
  }

  /** CAIRN_SERVER_* variables for a test server: loopback, no schedules, short shutdown. */
  public static Map<String, String> testEnvironment(Map<String, String> settings) {
    Map<String, String> env = new HashMap<>();
    env.put(ServerConfig.envName("listen.host"), "127.0.0.1");
    env.put(ServerConfig.envName("jobs.gc.interval"), "0");
    env.put(ServerConfig.envName("jobs.scrub.interval"), "0");
    env.put(ServerConfig.envName("jobs.retention.interval"), "0");
    env.put(ServerConfig.envName("shutdown.grace"), "2s");
    settings.forEach((k, v) -> env.put(ServerConfig.envName(k), v));
    return env;
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
