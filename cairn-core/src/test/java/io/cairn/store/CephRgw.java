package io.cairn.store;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real Ceph RADOS gateway for tests: a throwaway one-node cluster (scripts/ceph-rgw) from
 * Debian's packages, started once per test JVM and stopped when it exits. It has what s3proxy
 * lacks: Object Lock, versioning, and the quirks of the object store providers run.
 */
public final class CephRgw {
  public static final String ACCESS_KEY = "cairn-rgw-access";
  public static final String SECRET_KEY = "cairn-rgw-secret-key";
  private static CephRgw shared;

  private final Path dir;
  private final URI endpoint;
  private final AtomicInteger buckets = new AtomicInteger();

  private CephRgw(Path dir, URI endpoint) {
    this.dir = dir;
    this.endpoint = endpoint;
  }

  /** The shared gateway, started on first use. */
  public static synchronized CephRgw shared() {
    if (shared == null) {
      shared = start();
      Path d = shared.dir;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(d)));
    }
    return shared;
  }

  private static Path script() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path s = p.resolve("scripts/ceph-rgw");
      if (Files.isExecutable(s)) {
        return s;
      }
    }
    throw new IllegalStateException("scripts/ceph-rgw not found above " + Path.of("").toAbsolutePath());
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static CephRgw start() {
    try {
      Path dir = Files.createTempDirectory("cairn-ceph-");
      int mon = freePort();
      int rgw = freePort();
      Path log = dir.resolve("start.log");
      Process p = new ProcessBuilder(List.of(script().toString(), dir.resolve("cluster").toString(),
          String.valueOf(mon), String.valueOf(rgw), ACCESS_KEY, SECRET_KEY))
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        stop(dir);
        throw new IllegalStateException("Ceph did not start within 120 s: " + Files.readString(log));
      }
      String out = Files.readString(log);
      if (p.exitValue() != 0 || !out.contains("endpoint=")) {
        stop(dir);
        throw new IllegalStateException("Ceph RGW could not be started (exit " + p.exitValue() + "). Install "
            + "Debian's ceph-mon ceph-osd radosgw ceph-common (.ci/run does):\n" + out);
      }
      return new CephRgw(dir, URI.create("http://127.0.0.1:" + rgw));
    } catch (IOException e) {
      throw new IllegalStateException("cannot start Ceph: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void stop(Path dir) {
    try {
      new ProcessBuilder(List.of(script().toString(), "--stop", dir.resolve("cluster").toString()))
          .inheritIO().start().waitFor(30, TimeUnit.SECONDS);
      try (var s = Files.walk(dir)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    } catch (IOException | InterruptedException | RuntimeException ignored) {
      // the JVM is exiting; a leftover temporary directory is harmless
    }
  }

  public URI endpoint() {
    return endpoint;
  }

  public S3Store.Keys keys() {
    return new S3Store.Keys(ACCESS_KEY, SECRET_KEY);
  }

  /** The location of a bucket no test of this JVM has used, under {@code prefix} ("" for none). */
  public StoreLocation.Bucket newLocation(String hint, String prefix) {
    String name = (hint + "-" + ProcessHandle.current().pid() + "-" + buckets.incrementAndGet()).toLowerCase();
    return new StoreLocation.Bucket(endpoint, name, prefix.isEmpty() ? "" : prefix + "/");
  }

  /** Access settings for {@link Stores#open}: this gateway's keys, parts of 5 MiB above 8 MiB. */
  public Stores.Access access(Duration retryFor) {
    return Stores.Access.of(retryFor).withS3(keys(), new S3Store.Tuning(8 << 20, 5 << 20));
  }
}
