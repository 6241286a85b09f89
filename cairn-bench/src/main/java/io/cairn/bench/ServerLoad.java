package io.cairn.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cairn.format.BlobType;
import io.cairn.format.Id;
import io.cairn.format.PackEntry;
import io.cairn.format.PackFormat;
import io.cairn.format.RepositoryConfig;
import io.cairn.store.HttpStore;
import io.cairn.store.PinnedTrust;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * A load generator for one vault server that leaves the agents' own work out: ready-made packs
 * (made once by {@code prepare}, random blobs under real pack headers, so the server validates
 * them as it would any) are replayed by N simulated agents, each of its own tenant, each with one
 * upload in flight, so N uploads arrive at once.
 *
 * <pre>
 * ServerLoad prepare DIR PACKS PACK_MIB
 * ServerLoad run DIR SERVER_URL FINGERPRINT ADMIN_PASSWORD AGENTS SERVER_PID
 * </pre>
 *
 * <p>The agents share out the packs (each tenant's repository stores its share anew), and the
 * server's CPU time (user + system, from /proc/PID/stat) and peak RSS (VmHWM, reset first through
 * /proc/PID/clear_refs) are taken around the uploads alone, not the tenants' set-up.
 */
public final class ServerLoad {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ServerLoad() {}

  public static void main(String[] args) throws Exception {
    if (args.length >= 4 && args[0].equals("prepare")) {
      prepare(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
    } else if (args.length >= 7 && args[0].equals("run")) {
      run(Path.of(args[1]), args[2], args[3], args[4], Integer.parseInt(args[5]), Long.parseLong(args[6]));
    } else {
      System.err.println("usage: ServerLoad prepare DIR PACKS PACK_MIB\n"
          + "       ServerLoad run DIR SERVER_URL FINGERPRINT ADMIN_PASSWORD AGENTS SERVER_PID");
      System.exit(2);
    }
  }

  /** Packs of random blobs (1 MiB each) under real headers, named by their SHA-256, in DIR/packs. */
  static void prepare(Path dir, int packs, int packMiB) throws Exception {
    Path d = Files.createDirectories(dir.resolve("packs"));
    try (Stream<Path> s = Files.list(d)) {
      if (s.filter(p -> !p.toString().endsWith(".send")).count() >= packs) {
        return;
      }
    }
    Random r = new Random(42);
    byte[] blob = new byte[1 << 20];
    for (int p = 0; p < packs; p++) {
      ByteArrayOutputStream pack = new ByteArrayOutputStream((packMiB << 20) + (1 << 16));
      pack.write(PackFormat.preamble());
      List<PackEntry> entries = new ArrayList<>();
      for (int b = 0; b < packMiB; b++) {
        r.nextBytes(blob);
        byte[] id = new byte[32];
        r.nextBytes(id);
        entries.add(new PackEntry(BlobType.DATA, Id.of(id), pack.size(), blob.length));
        pack.write(blob);
      }
      pack.write(PackFormat.headerAndTrailer(entries));
      byte[] bytes = pack.toByteArray();
      Files.write(d.resolve(Id.of(io.cairn.crypto.Sha256.digest(bytes)).hex()), bytes);
    }
  }

  /** User and system CPU seconds of a process (fields 14 and 15 of /proc/PID/stat, in clock ticks). */
  static double[] userSystem(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return new double[] {Long.parseLong(f[11]) / 100.0, Long.parseLong(f[12]) / 100.0};
  }

  static long peakRssKiB(long pid) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }

  static void run(Path dir, String server, String fingerprint, String adminPassword, int agents, long pid)
      throws Exception {
    List<Path> all;
    try (Stream<Path> files = Files.list(dir.resolve("packs"))) {
      all = files.filter(p -> !p.toString().endsWith(".send")).sorted().toList();
    }
    HttpClient http = HttpClient.newBuilder().sslContext(PinnedTrust.context(fingerprint)).build();
    String admin = call(http, server, "POST", "/api/v1/login", null,
        "{\"username\":\"admin\",\"password\":\"" + adminPassword + "\"}").path("token").asText();
    List<io.cairn.store.BlobStore> stores = new ArrayList<>();
    AtomicLong retries = new AtomicLong();
    List<List<Path>> packs = new ArrayList<>();
    // Tenants of their own per run, so that a server can be loaded again (warm) with the same packs.
    String run = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
    for (int a = 0; a < agents; a++) {
      String t = "load-" + run + "-" + a;
      call(http, server, "POST", "/api/v1/tenants", admin, "{\"slug\":\"" + t + "\"}");
      call(http, server, "POST", "/api/v1/tenants/" + t + "/repos", admin, "{\"name\":\"main\"}");
      String token = call(http, server, "POST", "/api/v1/tenants/" + t + "/enrollments", admin,
          "{\"repository\":\"main\"}").path("token").asText();
      String credential = call(http, server, "POST", "/api/v1/enroll", null,
          "{\"token\":\"" + token + "\",\"name\":\"agent" + a + "\"}").path("credential").asText();
      // As an agent would: retried on 503s and network errors, for up to 15 minutes.
      io.cairn.store.BlobStore s = new io.cairn.store.RetryingStore(new HttpStore(server + "/repos/" + t + "/main",
          credential, fingerprint, w -> { }), java.time.Duration.ofMinutes(15), (where, why, until) -> {
            retries.incrementAndGet();
            System.err.println("retrying: " + why);
          });
      byte[] rid = new byte[32];
      new Random(a).nextBytes(rid);
      s.putIfAbsent(io.cairn.store.StoreKeys.CONFIG, new RepositoryConfig(RepositoryConfig.REPOSITORY_VERSION, Id.of(rid), Instant.now(),
          512 << 10, 1 << 20, 8 << 20, 16 << 20).encode());
      stores.add(s);
      packs.add(all.subList(a * all.size() / agents, (a + 1) * all.size() / agents));
    }
    AtomicLong bytes = new AtomicLong();
    CyclicBarrier start = new CyclicBarrier(agents + 1);
    ExecutorService pool = Executors.newFixedThreadPool(agents, r -> {
      Thread t = new Thread(r);
      t.setDaemon(true);
      return t;
    });
    List<Future<?>> done = new ArrayList<>();
    for (int a = 0; a < agents; a++) {
      int agent = a;
      done.add(pool.submit(() -> {
        start.await();
        for (Path p : packs.get(agent)) {
          // The store consumes the file it sends: it gets a link of its own.
          Path link = p.resolveSibling(p.getFileName() + "." + agent + ".send");
          Files.deleteIfExists(link);
          Files.createLink(link, p);
          String hex = p.getFileName().toString();
          long size = Files.size(p);
          if (!stores.get(agent).putIfAbsent(io.cairn.store.StoreKeys.pack(Id.parse(hex)), link)) {
            throw new IllegalStateException("pack " + hex + " was already stored: use a new server data directory");
          }
          bytes.addAndGet(size);
        }
        return null;
      }));
    }
    Files.writeString(Path.of("/proc/" + pid + "/clear_refs"), "5");
    double[] us0 = userSystem(pid);
    double cpu0 = us0[0] + us0[1];
    start.await();
    long t0 = System.nanoTime();
    for (Future<?> f : done) {
      f.get();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    double[] us1 = userSystem(pid);
    double cpu = us1[0] + us1[1] - cpu0;
    long rss = peakRssKiB(pid);
    pool.shutdown();
    System.out.printf("uploads=%d bytes=%d seconds=%.3f MBps=%.1f server_cpu_s=%.2f cpu_s_per_GB=%.2f "
        + "server_user_s=%.2f server_sys_s=%.2f server_peak_rss_MiB=%d retries=%d%n", agents, bytes.get(), seconds,
        bytes.get() / 1e6 / seconds, cpu, cpu / (bytes.get() / 1e9), us1[0] - us0[0], us1[1] - us0[1], rss / 1024,
        retries.get());
    stores.forEach(io.cairn.store.BlobStore::close);
  }

  private static JsonNode call(HttpClient http, String server, String method, String path, String token, String body)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .header("Content-Type", "application/json");
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() >= 300) {
      throw new IllegalStateException(method + " " + path + ": HTTP " + r.statusCode() + " " + r.body());
    }
    return r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
  }
}
