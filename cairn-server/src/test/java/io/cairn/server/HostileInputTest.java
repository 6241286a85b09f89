package io.cairn.server;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cairn.format.BlobType;
import io.cairn.format.Id;
import io.cairn.format.IndexEntry;
import io.cairn.format.IndexSegment;
import io.cairn.format.RepositoryConfig;
import io.cairn.format.SessionMarker;
import io.cairn.format.SnapshotCodec;
import io.cairn.format.SnapshotEnvelope;
import io.cairn.format.SnapshotSummary;
import io.cairn.store.PinnedTrust;
import io.cairn.store.StoreKeys;
import io.cairn.server.TestVault.Response;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the server does with hostile or broken requests: oversized and malformed bodies, bad
 * ids, path tricks, objects that are not what their name says, slow clients, password guessing
 * and unknown tokens. Every refusal is a JSON error with "error" and "message", and nothing
 * refused leaves anything on disk.
 */
class HostileInputTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final SecureRandom RANDOM = new SecureRandom();
  static final int MAX_OBJECT = 1 << 20;

  @TempDir static Path tmp;
  static TestVault vault;
  static String admin;
  static String agent;

  @BeforeAll
  static void setUp() {
    vault = TestVault.start(tmp.resolve("vault"), 0, Map.of("objects.max-bytes", String.valueOf(MAX_OBJECT),
        "http.idle-timeout", "5s"));
    vault.createTenant("acme", null, null);
    vault.createRepository("acme", "main");
    admin = vault.adminToken();
    agent = vault.enrollAgent("acme", "main", "append", "hostile-agent");
  }

  @AfterAll
  static void tearDown() {
    if (vault != null) {
      vault.close();
    }
  }

  // ---- helpers ----

  static Response call(String method, String path, String token, Object body) {
    return vault.call(method, path, token, body);
  }

  static Response call(String method, String path, String token, Object body, Map<String, String> headers) {
    return vault.call(method, path, token, body, headers);
  }


  static final String OBJECTS = "/api/v1/repos/acme/main/objects/";

  /** A raw HTTP/1.1 answer. */
  record Raw(int status, Map<String, String> headers, byte[] body) {
    String text() {
      return new String(body, UTF_8);
    }

    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + text(), e);
      }
    }

    @Override
    public String toString() {
      return status + " " + headers + " " + text();
    }
  }

  static SSLSocket socket() throws IOException {
    SSLSocket s = (SSLSocket) PinnedTrust.context(vault.fingerprint).getSocketFactory()
        .createSocket("localhost", vault.server.port());
    s.setSoTimeout(15_000);
    s.startHandshake();
    return s;
  }

  /**
   * Sends exactly {@code target} (no client-side normalisation or encoding) with the given
   * headers and body, in one write, and reads the answer.
   */
  static Raw raw(String method, String target, String token, List<String> headers, byte[] body) throws IOException {
    try (SSLSocket s = socket()) {
      StringBuilder h = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
          .append("Host: localhost\r\nConnection: close\r\n");
      if (token != null) {
        h.append("Authorization: Bearer ").append(token).append("\r\n");
      }
      headers.forEach(x -> h.append(x).append("\r\n"));
      h.append("\r\n");
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      all.writeBytes(h.toString().getBytes(ISO_8859_1));
      if (body != null) {
        all.writeBytes(body);
      }
      OutputStream out = s.getOutputStream();
      out.write(all.toByteArray());
      out.flush();
      return read(new BufferedInputStream(s.getInputStream()), method.equals("HEAD"));
    }
  }

  static Raw raw(String method, String target, String token) throws IOException {
    return raw(method, target, token, List.of(), null);
  }

  /** Reads one answer: status line, headers, and a body framed by Content-Length, chunks or EOF. */
  static Raw read(InputStream in, boolean head) throws IOException {
    String status = line(in);
    assertThat(status).as("status line").startsWith("HTTP/1.1 ");
    int code = Integer.parseInt(status.substring(9, 12));
    Map<String, String> headers = new HashMap<>();
    for (String l = line(in); !l.isEmpty(); l = line(in)) {
      int c = l.indexOf(':');
      headers.put(l.substring(0, c).trim().toLowerCase(Locale.ROOT), l.substring(c + 1).trim());
    }
    byte[] body;
    if (head || code == 204 || code == 304) {
      body = new byte[0];
    } else if (headers.containsKey("content-length")) {
      body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
    } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      for (int n = Integer.parseInt(line(in).split(";")[0].trim(), 16); n > 0;
          n = Integer.parseInt(line(in).split(";")[0].trim(), 16)) {
        b.writeBytes(in.readNBytes(n));
        line(in);
      }
      body = b.toByteArray();
    } else {
      body = in.readAllBytes();
    }
    return new Raw(code, headers, body);
  }

  static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new IOException("connection closed in the middle of a line: " + b.toString(ISO_8859_1));
      }
      if (c != '\r') {
        b.write(c);
      }
    }
    return b.toString(ISO_8859_1);
  }

  static void assertJsonError(Raw r, int status, String code) {
    assertThat(r.status()).as(r.toString()).isEqualTo(status);
    assertJsonError(r);
    if (code != null) {
      assertThat(r.json().path("error").asText()).as(r.toString()).isEqualTo(code);
    }
  }

  static void assertJsonError(Raw r) {
    assertThat(r.headers().getOrDefault("content-type", "")).as(r.toString()).startsWith("application/json");
    assertThat(r.json().path("error").isTextual()).as(r.toString()).isTrue();
    assertThat(r.json().path("message").isTextual()).as(r.toString()).isTrue();
  }

  static void assertJsonError(Response r, int status, String code) {
    assertThat(r.status()).as(r.text()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).as(r.text()).startsWith("application/json");
    assertThat(r.json()).as(r.text()).isNotNull();
    assertThat(r.json().path("message").isTextual()).as(r.text()).isTrue();
    assertThat(r.error()).as(r.text()).isEqualTo(code);
  }

  static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  static String sha256(byte[] b) {
    try {
      return hex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] random(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  static byte[] marker() {
    return new SessionMarker(Instant.now(), "host1", 7).encode();
  }

  static int head(String key) {
    return call("HEAD", OBJECTS + key, agent, null).status();
  }

  static Response put(String key, byte[] body) {
    return call("PUT", OBJECTS + key, agent, body);
  }

  /** Every regular file under the test's temp directory, relative to it. */
  static Set<String> files() throws IOException {
    try (Stream<Path> s = Files.walk(tmp)) {
      return s.filter(Files::isRegularFile).map(p -> tmp.relativize(p).toString()).collect(Collectors
          .toCollection(TreeSet::new));
    }
  }

  // ---- sizes ----

  @Test
  void oversizedJsonBodiesAre413() throws Exception {
    String big = "{\"slug\":\"big-tenant\",\"name\":\"" + "x".repeat(70_000) + "\"}";
    Response r = call("POST", "/api/v1/tenants", admin, big);
    assertJsonError(r, 413, "too_large");
    Response login = call("POST", "/api/v1/login", null,
        "{\"username\":\"admin\",\"password\":\"" + "p".repeat(70_000) + "\"}");
    assertJsonError(login, 413, "too_large");

    // Without a Content-Length (chunked), the server stops reading after 64 KiB all the same.
    byte[] body = big.getBytes(UTF_8);
    ByteArrayOutputStream chunked = new ByteArrayOutputStream();
    for (int off = 0; off < body.length; off += 8192) {
      int n = Math.min(8192, body.length - off);
      chunked.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(ISO_8859_1));
      chunked.write(body, off, n);
      chunked.writeBytes("\r\n".getBytes(ISO_8859_1));
    }
    chunked.writeBytes("0\r\n\r\n".getBytes(ISO_8859_1));
    Raw c = raw("POST", "/api/v1/tenants", admin, List.of("Content-Type: application/json",
        "Transfer-Encoding: chunked"), chunked.toByteArray());
    assertJsonError(c, 413, "too_large");

    assertThat(call("GET", "/api/v1/tenants/big-tenant", admin, null).status()).isEqualTo(404);
  }

  @Test
  void objectsOverTheLimitAre413BeforeTheBodyIsRead() throws Exception {
    String key = "sessions/" + hex(random(32));
    // Announce 100 MiB and send none of it: the answer must come at once, not after a read.
    try (SSLSocket s = socket()) {
      s.setSoTimeout(10_000);
      String h = "PUT " + OBJECTS + key + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + agent
          + "\r\nContent-Type: application/octet-stream\r\nContent-Length: " + (100L << 20) + "\r\n\r\n";
      s.getOutputStream().write(h.getBytes(ISO_8859_1));
      s.getOutputStream().flush();
      long start = System.nanoTime();
      Raw r;
      try {
        r = read(new BufferedInputStream(s.getInputStream()), false);
      } catch (SocketTimeoutException e) {
        throw new AssertionError("the server waited for a body it should refuse by its Content-Length", e);
      }
      assertJsonError(r, 413, "too_large");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }
    // One byte over the limit is refused the same way; exactly the limit is read and checked.
    Raw over = raw("PUT", OBJECTS + key, agent, List.of("Content-Length: " + (MAX_OBJECT + 1)), null);
    assertJsonError(over, 413, "too_large");
    assertJsonError(put(key, new byte[MAX_OBJECT]), 422, "invalid_object");
    assertThat(head(key)).isEqualTo(404);
  }

  @Test
  void putWithoutContentLengthIs411() throws Exception {
    String key = "sessions/" + hex(random(32));
    byte[] m = marker();
    byte[] body = (Integer.toHexString(m.length) + "\r\n" + new String(m, ISO_8859_1) + "\r\n0\r\n\r\n")
        .getBytes(ISO_8859_1);
    Raw r = raw("PUT", OBJECTS + key, agent, List.of("Transfer-Encoding: chunked"), body);
    assertJsonError(r, 411, "length_required");
    assertThat(head(key)).isEqualTo(404);
    // The same marker with a length is fine.
    assertThat(put(key, m).status()).isEqualTo(201);
    assertThat(call("DELETE", OBJECTS + key, agent, null).status()).isEqualTo(204);
  }

  // ---- paths ----

  @Test
  void badIdsInPathsAre400() {
    for (String path : List.of("/api/v1/tenants/acme/agents/abc", "/api/v1/tenants/acme/agents/-1",
        "/api/v1/tenants/acme/agents/1e3", "/api/v1/tenants/acme/agents/99999999999999999999999999",
        "/api/v1/tenants/acme/agents/" + "9".repeat(19), "/api/v1/tenants/acme/enrollments/abc",
        "/api/v1/tenants/acme/enrollments/18446744073709551617", "/api/v1/tokens/abc",
        "/api/v1/tokens/99999999999999999999")) {
      assertJsonError(call("DELETE", path, admin, null), 400, "bad_request");
    }
    // The largest id that parses is merely unknown.
    assertJsonError(call("DELETE", "/api/v1/tenants/acme/agents/" + "9".repeat(18), admin, null), 404,
        "not_found");
    assertJsonError(call("GET", "/api/v1/audit?before=abc", admin, null), 400, "bad_request");
    assertJsonError(call("GET", "/api/v1/audit?before=99999999999999999999", admin, null), 400, "bad_request");
    assertJsonError(call("GET", "/api/v1/usage?from=yesterday", admin, null), 400, "bad_request");
  }

  @Test
  void pathTricksAreRefusedAndTouchNothingOutsideTheRepository() throws Exception {
    Set<String> before = files();
    String hex = hex(random(32));
    List<String> keys = List.of(
        "../../../etc/passwd",
        "../../../../../../../../../../etc/passwd",
        "sessions/../../../../../../etc/passwd",
        "%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "sessions/%2e%2e%2f%2e%2e%2f%2e%2e%2fescaped-" + hex.substring(0, 8),
        "sessions%2f..%2f..%2f..%2fescaped-" + hex.substring(0, 8),
        "..%5c..%5c..%5cetc%5cpasswd",
        "sessions%5c" + hex,
        "sessions/" + hex.toUpperCase(Locale.ROOT),
        "Sessions/" + hex,
        "sessions/" + hex + "%00",
        "sessions/" + hex.substring(0, 10) + "%00.txt",
        "sessions/.." ,
        "sessions/.hidden-" + hex.substring(0, 8),
        ".tmp/" + hex,
        "%2fetc%2fpasswd",
        "/etc/passwd",
        "sessions//" + hex,
        "sessions/" + "a".repeat(129),
        "a".repeat(100) + "/" + "b".repeat(100) + "/" + "c".repeat(100) + "/" + "d".repeat(100) + "/" + "e",
        "sessions/" + hex + "%20",
        "sessions/~" + hex.substring(0, 8),
        "sessions/%c0%ae%c0%ae/x");
    for (String k : keys) {
      for (String method : List.of("GET", "HEAD", "PUT", "DELETE")) {
        byte[] body = method.equals("PUT") ? marker() : null;
        List<String> headers = body == null ? List.of() : List.of("Content-Length: " + body.length);
        Raw r = raw(method, OBJECTS + k, agent, headers, body);
        assertThat(r.status()).as("%s %s → %s", method, k, r).isBetween(400, 499);
        assertThat(r.text()).as("%s %s", method, k).doesNotContain("root:");
      }
    }
    for (String prefix : List.of("../", "..%2f", "%2e%2e/", "/etc/", "sessions/../../", "SESSIONS/", "data/ab/../")) {
      Raw r = raw("GET", OBJECTS.substring(0, OBJECTS.length() - 1) + "?prefix=" + prefix, agent);
      assertThat(r.status()).as("prefix %s → %s", prefix, r).isBetween(400, 499);
    }
    // Tricks on the tenant and repository segments too.
    for (String target : List.of("/api/v1/repos/acme/../globex/main/objects/config",
        "/api/v1/repos/%2e%2e/%2e%2e/objects/config", "/api/v1/repos/acme/main%2f..%2f..%2fx/objects/config")) {
      Raw r = raw("GET", target, agent);
      assertThat(r.status()).as("%s → %s", target, r).isBetween(400, 499);
    }

    Set<String> created = new TreeSet<>(files());
    created.removeAll(before);
    assertThat(created).as("files created by refused requests").isEmpty();
    assertThat(vault.repository("acme", "main").store().list("")).as("objects stored").isEmpty();
  }

  // ---- objects that are not what their name says ----

  static byte[] validIndexSegment() {
    return IndexSegment.encode(List.of(new IndexEntry(Id.of(random(32)), BlobType.DATA, Id.of(random(32)), 8, 100)));
  }

  static byte[] validSnapshot() {
    SnapshotEnvelope env = new SnapshotEnvelope(Instant.now(), "host1", List.of(), null, "tag", null, false, "test",
        new SnapshotSummary(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
    return SnapshotCodec.encode(env.toJsonBytes(), random(48), List.of());
  }

  @Test
  void contentAddressedObjectsMustMatchTheirNames() throws Exception {
    Set<String> before = files();
    byte[] garbage = random(1000);
    String other = sha256(random(10));
    String own = sha256(garbage);
    byte[] index = validIndexSegment();
    byte[] snapshot = validSnapshot();
    Map<String, byte[]> refused400 = new java.util.LinkedHashMap<>();
    refused400.put("data/" + other.substring(0, 2) + "/" + other, garbage);
    refused400.put("index/" + other, garbage);
    refused400.put("snapshots/" + other, garbage);
    // Valid objects under someone else's name.
    String other2 = sha256(random(10));
    refused400.put("index/" + other2, index);
    refused400.put("snapshots/" + other2, snapshot);
    String wrongDir = own.startsWith("00") ? "01" : "00";
    refused400.put("data/" + wrongDir + "/" + own, garbage);
    for (var e : refused400.entrySet()) {
      Response r = put(e.getKey(), e.getValue());
      assertJsonError(r, 400, "bad_request");
      assertThat(head(e.getKey())).as(e.getKey()).isEqualTo(404);
    }
    // The right name, but not a pack / segment / snapshot.
    for (String key : List.of("data/" + own.substring(0, 2) + "/" + own, "index/" + own, "snapshots/" + own)) {
      assertJsonError(put(key, garbage), 422, "invalid_object");
      assertThat(head(key)).as(key).isEqualTo(404);
    }
    Set<String> created = new TreeSet<>(files());
    created.removeAll(before);
    assertThat(created).as("files created by refused objects").isEmpty();
  }

  /**
   * Index segments and snapshots are found by listing their prefix and read back under
   * {@code index/ID} and {@code snapshots/ID}. An object stored under another name that still
   * ends in its hash ({@code snapshots/00/ID}) is listed but cannot be read under its id, and
   * the keyless GC stops on a snapshot it cannot read: a hostile agent could block its
   * repository's garbage collection for good (agents cannot delete it).
   */
  @Test
  void contentAddressedObjectsOnlyUnderTheirOwnNames() throws Exception {
    vault.createRepository("acme", "layout");
    String layoutAgent = vault.enrollAgent("acme", "layout", "append", "layout-agent");
    // An initialised repository (written directly: the config is not what this test is about).
    vault.repository("acme", "layout").store().putIfAbsent(StoreKeys.CONFIG, new RepositoryConfig(
        RepositoryConfig.REPOSITORY_VERSION, Id.of(random(32)), Instant.now(), 512 << 10, 1 << 20, 8 << 20, 16 << 20)
        .encode());
    String objects = "/api/v1/repos/acme/layout/objects/";

    assertThat(vault.server.maintenance().runNow(vault.repository("acme", "layout"), "gc").get("status"))
        .as("gc before").isEqualTo("ok");

    byte[] snapshot = validSnapshot();
    byte[] index = validIndexSegment();
    Map<String, byte[]> misplaced = new java.util.LinkedHashMap<>();
    misplaced.put("snapshots/00/" + sha256(snapshot), snapshot);
    misplaced.put("snapshots/" + sha256(snapshot) + "/" + sha256(snapshot), snapshot);
    misplaced.put("index/00/" + sha256(index), index);
    SoftAssertions soft = new SoftAssertions();
    for (var e : misplaced.entrySet()) {
      Response r = call("PUT", objects + e.getKey(), layoutAgent, e.getValue());
      soft.assertThat(r.status()).as("PUT %s → %s", e.getKey(), r.text()).isIn(400, 422);
      soft.assertThat(call("HEAD", objects + e.getKey(), layoutAgent, null).status()).as("%s stored", e.getKey())
          .isEqualTo(404);
    }
    // What an accepted one does: the server's GC (and every client listing snapshots) stops on it.
    Map<String, Object> gc = vault.server.maintenance().runNow(vault.repository("acme", "layout"), "gc");
    soft.assertThat(gc.get("status")).as("gc of acme/layout after the PUTs: %s", gc).isEqualTo("ok");
    soft.assertAll();
  }

  @Test
  void garbageConfigKeysAndSessionsAre422() throws Exception {
    Set<String> before = files();
    byte[] garbage = "this is not a repository object".getBytes(UTF_8);
    byte[] truncatedMarker = java.util.Arrays.copyOf(marker(), 10);
    String h = hex(random(32));
    for (String key : List.of("config", "keys/" + h, "sessions/" + h)) {
      for (byte[] body : List.of(garbage, truncatedMarker, new byte[0], random(300))) {
        Response r = put(key, body);
        assertJsonError(r, 422, "invalid_object");
        assertThat(head(key)).as(key).isEqualTo(404);
      }
    }
    // Nor may agents write outside the object prefixes that are theirs.
    byte[] lock = new io.cairn.format.LockRecord("prune", "agent-host", 1, java.time.Instant.now(),
        java.time.Instant.now()).encode();
    for (String key : List.of("condemned/" + h, "locks/" + h, "other/" + h, "configx")) {
      Response r = put(key, key.startsWith("locks/") ? lock : marker());
      assertJsonError(r, 403, "forbidden");
      assertThat(head(key)).as(key).isEqualTo(404);
    }
    Set<String> created = new TreeSet<>(files());
    created.removeAll(before);
    assertThat(created).isEmpty();
  }

  // ---- JSON ----

  @Test
  void malformedJsonIs400BadJson() throws Exception {
    for (String body : List.of("{\"username\": \"admin\", ", "{username: admin}", "\"unterminated",
        "[".repeat(30_000), "{\"a\":" .repeat(10_000))) {
      Response r = call("POST", "/api/v1/login", null, body);
      assertJsonError(r, 400, "bad_json");
    }
    Raw bytes = raw("POST", "/api/v1/tenants", admin, List.of("Content-Type: application/json",
        "Content-Length: 4"), new byte[] {(byte) 0xff, (byte) 0xfe, 0x7b, 0x00});
    assertJsonError(bytes, 400, "bad_json");
    // Well-formed but not an object, or fields of the wrong type: bad_request.
    for (String body : List.of("[1,2,3]", "null", "42", "{\"username\": 1, \"password\": []}")) {
      assertJsonError(call("POST", "/api/v1/login", null, body), 400, "bad_request");
    }
    assertJsonError(call("POST", "/api/v1/tenants", admin, "{\"slug\":\"x1\",\"hardQuotaBytes\":\"lots\"}"),
        400, "bad_request");
  }

  /**
   * A body with something after the JSON object is not valid JSON either. The server's mapper
   * reads the first value and ignores the rest, so a request such as this login succeeds.
   */
  @Test
  void trailingGarbageAfterTheJsonObjectIsBadJson() {
    for (String body : List.of(
        "{\"username\":\"admin\",\"password\":\"" + TestVault.ADMIN_PASSWORD + "\"} trailing garbage",
        "{\"username\":\"admin\",\"password\":\"" + TestVault.ADMIN_PASSWORD + "\"}}}",
        "{\"username\":\"admin\",\"password\":\"" + TestVault.ADMIN_PASSWORD + "\"}{\"username\":\"x\"}")) {
      Response r = call("POST", "/api/v1/login", null, body);
      assertThat(r.json().has("token")).as("logged in with %s: %s", body, r.text()).isFalse();
      assertJsonError(r, 400, "bad_json");
    }
  }

  // ---- slow clients ----

  @Test
  void aStalledClientIsDisconnectedWhileOthersAreServed() throws Exception {
    try (SSLSocket slow = socket()) {
      slow.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: a".getBytes(ISO_8859_1));
      slow.getOutputStream().flush();
      long start = System.nanoTime();
      // Others are served meanwhile.
      for (int i = 0; i < 5; i++) {
        assertThat(call("GET", "/healthz", null, null).status()).isEqualTo(200);
        assertThat(raw("GET", "/healthz", null).status()).isEqualTo(200);
      }
      slow.setSoTimeout(45_000);
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      boolean closed = false;
      try {
        InputStream in = slow.getInputStream();
        byte[] buf = new byte[1024];
        for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
          answer.write(buf, 0, n);
        }
        closed = true;
      } catch (SocketTimeoutException e) {
        closed = false;
      } catch (SSLException | SocketException e) {
        closed = true; // reset or TLS close without close_notify: the server hung up
      }
      Duration waited = Duration.ofNanos(System.nanoTime() - start);
      assertThat(closed).as("the server closed the stalled connection (after %s)", waited).isTrue();
      assertThat(waited).isLessThan(Duration.ofSeconds(15));
      assertThat(answer.toString(ISO_8859_1)).doesNotContain("\"ok\"");
    }
  }

  // ---- credentials ----

  /**
   * Wrong passwords slow down the address they come from, for that user name, and never lock the
   * user out: from another address the right password still logs in, and an administrator can
   * lift the wait.
   */
  @Test
  void failedLoginsSlowTheirAddressAndNeverLockTheUserOut() throws Exception {
    try (TestVault v = TestVault.start(tmp.resolve("ratelimit"))) {
      v.createTenant("acme", null, null);
      v.admin("POST", "/api/v1/tenants/acme/users", Map.of("username", "alice", "password", "alice-password-1",
          "role", "tenant_viewer"));
      for (int i = 0; i < LoginThrottle.FREE_FAILURES + 2; i++) {
        var r = v.call("POST", "/api/v1/login", null, Map.of("username", "alice", "password", "wrong-password-" + i));
        if (r.status() == 429) {
          // Each failure past the free ones makes the next attempt wait (1 s, then 2 s): wait it out.
          Thread.sleep(Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow()) * 1000 + 100);
          r = v.call("POST", "/api/v1/login", null, Map.of("username", "alice", "password", "wrong-password-" + i));
        }
        assertJsonError(new Response(r.status(), r.json(), r.text(), r.headers()), 401, "login_failed");
      }
      var held = v.call("POST", "/api/v1/login", null, Map.of("username", "alice", "password", "alice-password-1"));
      assertJsonError(new Response(held.status(), held.json(), held.text(), held.headers()), 429, "rate_limited");
      assertThat(held.json().has("token")).isFalse();
      assertThat(Long.parseLong(held.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 4L);
      assertThat(held.json().path("message").asText()).contains("try again in").contains("unlock");

      // Alice, from her own machine (another address), is not held back by someone else's guesses.
      VaultClient elsewhere = new VaultClient(v.base, v.fingerprint, java.net.InetAddress.getByName("127.0.0.2"));
      var own = elsewhere.call("POST", "/api/v1/login", null, Map.of("username", "alice",
          "password", "alice-password-1"));
      assertThat(own.status()).as(own.text()).isEqualTo(200);

      // The tenant's administrator sees the failures and lifts the wait.
      JsonNode users = v.admin("GET", "/api/v1/tenants/acme/users", null);
      JsonNode alice = java.util.stream.StreamSupport.stream(users.spliterator(), false)
          .filter(u -> u.path("username").asText().equals("alice")).findFirst().orElseThrow();
      assertThat(alice.path("failedLogins").asInt()).isEqualTo(LoginThrottle.FREE_FAILURES + 2);
      assertThat(Instant.parse(alice.path("loginsHeldUntil").asText())).isAfter(Instant.now());
      v.admin("PATCH", "/api/v1/tenants/acme/users/" + alice.path("id").asLong(), Map.of("unlockLogins", true));
      var after = v.call("POST", "/api/v1/login", null, Map.of("username", "alice", "password", "alice-password-1"));
      assertThat(after.status()).as(after.text()).isEqualTo(200);
      assertThat(v.admin("GET", "/api/v1/audit", null).toString()).contains("unlockLogins");
    }
  }

  @Test
  void unknownBearerTokensAre401BadCredentials() throws Exception {
    for (String token : List.of("cairn_session_" + hex(random(32)), "cairn_agent_" + hex(random(32)),
        "cairn_api_x", "x".repeat(500))) {
      Response me = call("GET", "/api/v1/me", token, null);
      assertJsonError(me, 401, "bad_credentials");
      Raw obj = raw("GET", OBJECTS + "config", token);
      assertJsonError(obj, 401, "bad_credentials");
    }
    // No token at all: unauthenticated, also JSON.
    assertJsonError(call("GET", "/api/v1/me", null, null), 401, "unauthenticated");
    assertJsonError(call("GET", "/api/v1/me", null, null, Map.of("Authorization", "Basic YWRtaW46eA==")),
        401, "unauthenticated");
  }

  @Test
  void everyErrorIsJson() throws Exception {
    assertJsonError(call("GET", "/api/v1/no-such-endpoint", admin, null), 404, "not_found");
    assertJsonError(call("GET", "/nope", null, null), 404, "not_found");
    assertJsonError(call("POST", "/api/v1/tenants", admin, Map.of("slug", "Bad Slug!")), 400, "bad_request");
    assertJsonError(call("POST", "/api/v1/tenants", admin, Map.of("slug", "acme")), 409, "conflict");
    assertJsonError(call("GET", OBJECTS + "config", agent, null), 404, "not_found");
    assertJsonError(call("GET", OBJECTS + "config", agent, null, Map.of("Range", "bytes=0")), 416,
        "bad_range");
  }

  /**
   * Requests that Jetty refuses before they reach the API (a path that climbs above the root, a
   * NUL or bad UTF-8 in the path, headers over 16 KiB) are answered with Jetty's HTML error
   * page instead of the API's JSON error.
   */
  @Test
  void errorsRaisedBeforeTheApiAreJsonToo() throws Exception {
    SoftAssertions soft = new SoftAssertions();
    List<Raw> answers = List.of(
        raw("GET", OBJECTS + "../../../../../../../../../../etc/passwd", agent),
        raw("GET", OBJECTS + "sessions/abc%00", agent),
        raw("GET", OBJECTS + "sessions/%c0%ae%c0%ae", agent),
        raw("GET", "/api/v1/tenants/acme", admin, List.of("X-Big: " + "h".repeat(20_000)), null));
    for (Raw r : answers) {
      soft.assertThat(r.status()).as(r.toString()).isBetween(400, 499);
      soft.assertThat(r.headers().getOrDefault("content-type", "")).as(r.toString()).startsWith("application/json");
      soft.assertThat(r.text()).as(r.toString()).contains("\"error\"").contains("\"message\"");
    }
    soft.assertAll();
  }

  /** A body that stops before its Content-Length is the client's failure: 400, nothing stored. */
  @Test
  void aBodyThatEndsEarlyIsAnsweredAsTheClientsFailure() throws Exception {
    String id = sha256(random(10));
    for (String key : List.of("data/" + id.substring(0, 2) + "/" + id, "sessions/" + id)) {
      Raw r;
      try (SSLSocket s = socket()) {
        String h = "PUT " + OBJECTS + key + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
            + "Authorization: Bearer " + agent + "\r\nContent-Length: 100000\r\n\r\n";
        OutputStream out = s.getOutputStream();
        out.write(h.getBytes(ISO_8859_1));
        out.write(new byte[1000]);
        out.flush();
        s.shutdownOutput();
        r = read(new BufferedInputStream(s.getInputStream()), false);
      }
      assertThat(r.status()).as("%s → %s", key, r).isEqualTo(400);
      assertThat(r.json().path("message").asText()).contains("body ended").contains("nothing was stored");
      assertThat(raw("HEAD", OBJECTS + key, agent).status()).isEqualTo(404);
    }
  }

  /** A retention period beyond any arithmetic is refused, with the limit named. */
  @Test
  void anEnormousKeepWithinIsRefusedWithTheLimit() {
    for (String within : List.of("9999999999999999y", "99999999999999999999d", "1001y", "400000d")) {
      Response post = call("POST", "/api/v1/tenants/acme/repos", admin,
          Map.of("name", "huge", "retention", Map.of("keepWithin", within)));
      assertThat(post.status()).as(within + " " + post.text()).isEqualTo(400);
      assertThat(post.json().path("message").asText()).as(within).contains("1000y");
      Response patch = call("PATCH", "/api/v1/tenants/acme/repos/main", admin,
          Map.of("retention", Map.of("keepWithin", within)));
      assertThat(patch.status()).as(within + " " + patch.text()).isEqualTo(400);
    }
    Response ok = call("PATCH", "/api/v1/tenants/acme/repos/main", admin,
        Map.of("retention", Map.of("keepWithin", "1000y")));
    assertThat(ok.status()).as(ok.text()).isEqualTo(200);
  }
}
