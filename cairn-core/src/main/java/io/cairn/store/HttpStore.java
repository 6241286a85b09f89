package io.cairn.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cairn.format.ObjectNotFoundException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A repository kept by a Cairn vault server ({@code https://HOST[:PORT]/repos/TENANT/REPO}),
 * reached over its object API (docs/api.md, "Objects") with an agent credential.
 *
 * <p>Network failures, server restarts (connection refused, 502/503/504) and rate limits raise
 * {@link TransientStoreException}, which {@link RetryingStore} retries ({@link Stores#open} wraps
 * every remote store in it). Refusals (bad credential, scope, quota, invalid object) raise a
 * {@link RefusedException} carrying the server's message: retrying would not help.
 */
public final class HttpStore implements BlobStore {
  /** Created on first use: making an ObjectMapper costs ~50 ms, which local repositories need not pay. */
  private static final class Mapper {
    static final ObjectMapper JSON = new ObjectMapper();
  }
  private static final Pattern URL = Pattern.compile("(https?://[^/]+)/repos/([a-z0-9][a-z0-9-]{0,62})/"
      + "([a-z0-9][a-z0-9-]{0,62})/?");

  private final String location;
  private final String objects;
  private final String token;
  private final HttpClient client;
  private final Consumer<String> warnings;
  private final Set<String> warned = ConcurrentHashMap.newKeySet();

  /**
   * @param pin the server certificate's {@code sha256:...} fingerprint, or null to trust the
   *     system's certificate authorities
   * @param warnings receives each distinct warning the server sends (soft quota), once
   */
  public HttpStore(String url, String token, String pin, Consumer<String> warnings) {
    Matcher m = URL.matcher(url);
    if (!m.matches()) {
      throw new IllegalArgumentException("a server repository is https://HOST[:PORT]/repos/TENANT/REPOSITORY, not '"
          + url + "'");
    }
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("no credential for " + url + ": enroll this machine with 'cairn enroll "
          + url + " --token ENROLLMENT-TOKEN', or set CAIRN_TOKEN");
    }
    this.location = url;
    this.objects = m.group(1) + "/api/v1/repos/" + m.group(2) + "/" + m.group(3) + "/objects";
    this.token = token.trim();
    this.warnings = warnings;
    this.client = client(url, pin);
  }

  /** A client for a server: the pinned certificate for https, or the system's authorities without a pin. */
  private static HttpClient client(String url, String pin) {
    HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(15));
    if (url.startsWith("https://")) {
      io.cairn.crypto.TlsCrypto.prefer();
      b.sslContext(PinnedTrust.context(pin));
    }
    return b.build();
  }

  /**
   * Exchanges an enrollment token for this machine's agent credential ({@code POST
   * /api/v1/enroll} on {@code server}, docs/api.md); answers the server's JSON.
   *
   * @throws IllegalArgumentException when the server cannot be trusted or refuses, saying why
   */
  public static JsonNode enroll(String server, String pin, String token, String name)
      throws IOException, InterruptedException {
    String body = Mapper.JSON.createObjectNode().put("token", token).put("name", name).toString();
    HttpResponse<String> r;
    try (HttpClient c = client(server, pin)) {
      r = c.send(HttpRequest.newBuilder(URI.create(server + "/api/v1/enroll")).timeout(Duration.ofSeconds(60))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (javax.net.ssl.SSLHandshakeException e) {
      throw new io.cairn.format.CairnException("cannot trust " + server + ": " + rootMessage(e) + (pin == null
          ? "\n  If the server uses a self-signed certificate, pass --fingerprint as printed when it starts." : ""), e);
    }
    JsonNode answer = Mapper.JSON.readTree(r.body());
    if (r.statusCode() != 201) {
      throw new io.cairn.format.CairnException("the server refused the enrollment: " + answer.path("message").asText(
          "HTTP " + r.statusCode()));
    }
    return answer;
  }

  @Override
  public boolean putIfAbsent(String key, byte[] data) {
    StoreKeys.check(key);
    return put(key, HttpRequest.BodyPublishers.ofByteArray(data));
  }

  /** Sends the file as the request body, read from disk as it goes (a pack is not held in memory). */
  @Override
  public boolean putIfAbsent(String key, java.nio.file.Path file) {
    try {
      StoreKeys.check(key);
      HttpRequest.BodyPublisher body;
      try {
        body = HttpRequest.BodyPublishers.ofFile(file);
      } catch (java.io.FileNotFoundException e) {
        throw new StoreException(key, "the file to store is gone: " + file, e);
      }
      return put(key, body);
    } finally {
      try {
        java.nio.file.Files.deleteIfExists(file);
      } catch (java.io.IOException ignored) {
        // a leftover spool file in the temporary directory is never read
      }
    }
  }

  /** The PUT of both {@code putIfAbsent}s: 201 stored, 200 already there. */
  private boolean put(String key, HttpRequest.BodyPublisher body) {
    HttpResponse<byte[]> r = send(request(key).timeout(Duration.ofMinutes(10)).PUT(body).build(), key);
    if (r.statusCode() == 201) {
      return true;
    }
    if (r.statusCode() == 200) {
      return false;
    }
    throw refused(key, r);
  }

  @Override
  public byte[] get(String key) {
    StoreKeys.check(key);
    HttpResponse<byte[]> r = send(request(key).timeout(Duration.ofMinutes(5)).GET().build(), key);
    if (r.statusCode() == 200) {
      return r.body();
    }
    if (r.statusCode() == 404) {
      throw new ObjectNotFoundException(key, "not stored on " + location);
    }
    throw refused(key, r);
  }

  @Override
  public byte[] getRange(String key, long offset, int length) {
    StoreKeys.check(key);
    if (length == 0) {
      BlobStore.checkEmptyRange(this, key, offset);
      return new byte[0];
    }
    HttpRequest req = request(key).timeout(Duration.ofMinutes(5))
        .header("Range", "bytes=" + offset + "-" + (offset + length - 1)).GET().build();
    HttpResponse<byte[]> r = send(req, key);
    if (r.statusCode() == 206 && r.body().length == length) {
      return r.body();
    }
    if (r.statusCode() == 404) {
      throw new ObjectNotFoundException(key, "not stored on " + location);
    }
    if (r.statusCode() == 206) {
      throw new StoreException(key, "the server sent " + r.body().length + " bytes for a range of " + length, null);
    }
    throw refused(key, r);
  }

  @Override
  public Optional<Long> size(String key) {
    StoreKeys.check(key);
    HttpResponse<byte[]> r = send(request(key).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), key);
    if (r.statusCode() == 404) {
      return Optional.empty();
    }
    if (r.statusCode() != 200) {
      throw refused(key, r);
    }
    return Optional.of(r.headers().firstValueAsLong("Content-Length").orElseThrow(
        () -> new StoreException(key, "the server did not say the object's size", null)));
  }

  @Override
  public List<StoreEntry> list(String prefix) {
    StoreKeys.checkPrefix(prefix);
    URI u = URI.create(objects + "?prefix=" + URLEncoder.encode(prefix, StandardCharsets.UTF_8));
    HttpRequest req = HttpRequest.newBuilder(u).header("Authorization", "Bearer " + token)
        .timeout(Duration.ofMinutes(5)).GET().build();
    HttpResponse<byte[]> r = send(req, prefix);
    if (r.statusCode() != 200) {
      throw refused(prefix, r);
    }
    try {
      JsonNode n = Mapper.JSON.readTree(r.body()).path("objects");
      List<StoreEntry> out = new ArrayList<>(n.size());
      for (JsonNode e : n) {
        String key = StoreKeys.check(e.path("key").asText());
        if (!key.startsWith(prefix)) {
          throw new StoreException(prefix, "the server listed " + key + " under " + prefix, null);
        }
        out.add(new StoreEntry(key, e.path("size").asLong()));
      }
      return out;
    } catch (IOException | IllegalArgumentException e) {
      throw new StoreException(prefix, "the server's listing is not valid: " + e.getMessage(), e);
    }
  }

  @Override
  public boolean delete(String key) {
    StoreKeys.check(key);
    HttpResponse<byte[]> r = send(request(key).DELETE().build(), key);
    if (r.statusCode() == 204 || r.statusCode() == 200) {
      return true;
    }
    if (r.statusCode() == 404) {
      return false;
    }
    throw refused(key, r);
  }

  @Override
  public boolean remote() {
    return true;
  }

  @Override
  public String location() {
    return location;
  }

  @Override
  public void close() {
    client.close();
  }

  private HttpRequest.Builder request(String key) {
    return HttpRequest.newBuilder(URI.create(objects + "/" + key)).header("Authorization", "Bearer " + token)
        .timeout(Duration.ofMinutes(2));
  }

  /** One exchange; what may pass if tried again is a {@link TransientStoreException}. */
  private HttpResponse<byte[]> send(HttpRequest req, String key) {
    String why;
    try {
      HttpResponse<byte[]> r = exchange(req);
      r.headers().firstValue("Cairn-Warning").ifPresent(w -> {
        if (warned.add(w)) {
          warnings.accept(w);
        }
      });
      int s = r.statusCode();
      if (s != 429 && s != 502 && s != 503 && s != 504) {
        return r;
      }
      why = "HTTP " + s;
    } catch (ConnectException e) {
      why = "cannot connect (" + e.getMessage() + ")";
    } catch (javax.net.ssl.SSLHandshakeException e) {
      throw new StoreException(key, "TLS handshake with " + location + " failed: " + rootMessage(e), e);
    } catch (IOException e) {
      why = e.toString();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException(key, "interrupted", e);
    }
    throw new TransientStoreException(key, why, null);
  }

  /**
   * {@link HttpClient#send}, except in a thread of a fork-join pool: there the client's wait for
   * the answer (a {@code CompletableFuture}'s) runs the pool's queued tasks on the waiting thread,
   * and a backup's tree walk, whose tasks read old trees into their thread's own buffer, must not
   * have another task run on the thread in the middle of one (a second backup through a server
   * failed that way). There the request goes out asynchronously and the thread waits as a
   * managed blocker, which lets the pool add a thread but never runs a task on this one.
   */
  private HttpResponse<byte[]> exchange(HttpRequest req) throws IOException, InterruptedException {
    if (!(Thread.currentThread() instanceof java.util.concurrent.ForkJoinWorkerThread)) {
      return client.send(req, HttpResponse.BodyHandlers.ofByteArray());
    }
    java.util.concurrent.CompletableFuture<HttpResponse<byte[]>> answer =
        client.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray());
    java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
    answer.whenComplete((r, e) -> done.countDown());
    try {
      java.util.concurrent.ForkJoinPool.managedBlock(new java.util.concurrent.ForkJoinPool.ManagedBlocker() {
        @Override
        public boolean block() throws InterruptedException {
          done.await();
          return true;
        }

        @Override
        public boolean isReleasable() {
          return done.getCount() == 0;
        }
      });
    } catch (InterruptedException e) {
      answer.cancel(true);
      throw e;
    }
    if (answer.state() == java.util.concurrent.Future.State.SUCCESS) {
      return answer.resultNow();
    }
    Throwable t = answer.state() == java.util.concurrent.Future.State.CANCELLED
        ? new IOException("the request was cancelled") : answer.exceptionNow();
    while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof IOException io) {
      throw io;
    }
    if (t instanceof RuntimeException re) {
      throw re;
    }
    if (t instanceof Error err) {
      throw err;
    }
    throw new IOException(t);
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }

  private StoreException refused(String key, HttpResponse<byte[]> r) {
    String message;
    try {
      JsonNode n = Mapper.JSON.readTree(r.body());
      message = n.path("message").asText("HTTP " + r.statusCode());
    } catch (IOException | RuntimeException e) {
      message = "HTTP " + r.statusCode();
    }
    return new RefusedException(key, r.statusCode(), "the server refused: " + message);
  }

  /** The server answered, and said no: retrying would not help. */
  public static final class RefusedException extends StoreException {
    private final int status;

    RefusedException(String key, int status, String message) {
      super(key, message, null);
      this.status = status;
    }

    public int status() {
      return status;
    }
  }
}
