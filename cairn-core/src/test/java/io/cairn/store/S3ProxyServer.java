package io.cairn.store;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real S3 server for tests: s3proxy (its runnable jar, copied into {@code target/s3proxy} by
 * the build) in a JVM of its own, storing objects as files under a temporary directory. One
 * process serves every test of a JVM; each test takes a bucket of its own.
 */
public final class S3ProxyServer {
  public static final String ACCESS_KEY = "cairn-test-access";
  public static final String SECRET_KEY = "cairn-test-secret-key";
  private static S3ProxyServer shared;

  private final Process process;
  private final URI endpoint;
  private final Path dataDir;
  private final AtomicInteger buckets = new AtomicInteger();

  private S3ProxyServer(Process process, URI endpoint, Path dataDir) {
    this.process = process;
    this.endpoint = endpoint;
    this.dataDir = dataDir;
  }

  /** The shared server, started on first use and stopped when the JVM exits. */
  public static synchronized S3ProxyServer shared() {
    if (shared == null || !shared.process.isAlive()) {
      shared = start();
      S3ProxyServer s = shared;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> s.process.destroyForcibly()));
    }
    return shared;
  }

  private static S3ProxyServer start() {
    Path jar = Path.of("target/s3proxy/s3proxy.jar").toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: the build copies it (maven-dependency-plugin, "
          + "execution 's3proxy'); run the tests through Maven");
    }
    try {
      Path dir = Files.createTempDirectory("cairn-s3proxy-");
      Path data = Files.createDirectories(dir.resolve("data"));
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      Path conf = dir.resolve("s3proxy.conf");
      Files.writeString(conf, String.join("\n",
          "s3proxy.endpoint=http://127.0.0.1:" + port,
          "s3proxy.authorization=aws-v2-or-v4",
          "s3proxy.identity=" + ACCESS_KEY,
          "s3proxy.credential=" + SECRET_KEY,
          "jclouds.provider=filesystem-nio2",
          "jclouds.filesystem.basedir=" + data,
          ""));
      String java = ProcessHandle.current().info().command().orElse("java");
      Process p = new ProcessBuilder(List.of(java, "-Xmx512m", "-jar", jar.toString(), "--properties", conf.toString()))
          .redirectErrorStream(true).redirectOutput(dir.resolve("s3proxy.log").toFile()).start();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (true) {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
          break;
        } catch (IOException notYet) {
          if (!p.isAlive() || System.nanoTime() > deadline) {
            p.destroyForcibly();
            throw new IllegalStateException("s3proxy did not start; its log: " + Files.readString(dir.resolve("s3proxy.log")));
          }
          Thread.sleep(50);
        }
      }
      return new S3ProxyServer(p, URI.create("http://127.0.0.1:" + port), data);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start s3proxy: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Puts this server's keys where the AWS SDK's chain looks in-process (its system properties),
   * for code that opens a bucket the way a user's command does; {@link #clearSdkKeys} undoes it.
   */
  public static S3ProxyServer sharedWithSdkKeys() {
    SdkKeys.set(ACCESS_KEY, SECRET_KEY);
    return shared();
  }

  public static void clearSdkKeys() {
    SdkKeys.clear();
  }

  public URI endpoint() {
    return endpoint;
  }

  public S3Store.Keys keys() {
    return new S3Store.Keys(ACCESS_KEY, SECRET_KEY);
  }

  /** A name for a bucket no test has used yet in this JVM (the bucket itself is made by init). */
  public String newBucketName(String hint) {
    return (hint + "-" + ProcessHandle.current().pid() + "-" + buckets.incrementAndGet()).toLowerCase();
  }

  /** The location of a new bucket, under {@code prefix} ("" for none, else segments without slashes at the ends). */
  public StoreLocation.Bucket newLocation(String hint, String prefix) {
    return new StoreLocation.Bucket(endpoint, newBucketName(hint), prefix.isEmpty() ? "" : prefix + "/");
  }

  /** The file in which s3proxy keeps an object, for tests that damage it behind the store's back. */
  public Path fileOf(String bucket, String objectKey) {
    return dataDir.resolve(bucket).resolve(objectKey);
  }

  /** Access settings for {@link Stores#open}: this server's keys, parts of 5 MiB above 8 MiB. */
  public Stores.Access access(Duration retryFor) {
    return Stores.Access.of(retryFor).withS3(keys(), new S3Store.Tuning(8 << 20, 5 << 20));
  }
}
