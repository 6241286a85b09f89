package io.cairn.server;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * Settings of one vault server. Read from {@code DATA/server.properties} (or the file given with
 * {@code --config}), then overridden by environment variables: {@code listen.port} becomes
 * {@code CAIRN_SERVER_LISTEN_PORT}. Every key is listed in docs/server.md.
 */
public record ServerConfig(
    Path dataDir,
    String listenHost,
    int listenPort,
    TlsMode tls,
    Path tlsCertificate,
    Path tlsPrivateKey,
    String publicUrl,
    long maxObjectBytes,
    Duration gcInterval,
    Duration scrubInterval,
    Duration retentionInterval,
    Duration gcGrace,
    Duration gcFenceMargin,
    Duration gcSessionIdle,
    int scrubReadPercent,
    String metricsToken,
    Duration shutdownGrace,
    Duration idleTimeout,
    boolean logRequests,
    Storage storage) {

  /**
   * Where tenants' repositories live: {@code DATA/repos} (location null), or a bucket, as one
   * bucket with a prefix per tenant and repository or a bucket per tenant.
   *
   * @param location the bucket, with the prefix under which repositories go; null for DATA/repos
   * @param keys the bucket's access key, or null for the SDK's chain (environment, profile)
   * @param capacityBytes what the operator says the object store holds (S3 cannot tell), 0 unknown
   * @param retryFor how long one store operation is retried before the request fails
   * @param objectLock the S3 Object Lock mode set on what locked snapshots need; null for none
   */
  public record Storage(io.cairn.store.StoreLocation.Bucket location, Layout layout, io.cairn.store.S3Store.Keys keys,
      long capacityBytes, Duration retryFor, io.cairn.store.S3Store.LockMode objectLock) {
    /** How repositories are laid out in the bucket. */
    public enum Layout {
      /** BUCKET/PREFIX/TENANT/REPOSITORY/... */
      SHARED,
      /** BUCKET-TENANT/PREFIX/REPOSITORY/...: each tenant's data in a bucket of its own */
      BUCKET_PER_TENANT
    }

    static Storage parse(Properties p) {
      String where = p.getProperty("storage.location");
      Layout layout = switch (p.getProperty("storage.layout").toLowerCase(Locale.ROOT)) {
        case "shared" -> Layout.SHARED;
        case "bucket-per-tenant" -> Layout.BUCKET_PER_TENANT;
        default -> throw new IllegalArgumentException("storage.layout must be shared or bucket-per-tenant, not '"
            + p.getProperty("storage.layout") + "'");
      };
      String id = p.getProperty("storage.s3.access-key-id");
      String secret = p.getProperty("storage.s3.secret-access-key");
      io.cairn.store.S3Store.Keys keys = id.isEmpty() && secret.isEmpty() ? null
          : new io.cairn.store.S3Store.Keys(id, secret);
      long capacity = integer(p, "storage.capacity-bytes", 0, Long.MAX_VALUE);
      Duration retry = duration(p, "storage.retry-for");
      io.cairn.store.S3Store.LockMode lock = switch (p.getProperty("storage.object-lock").toLowerCase(Locale.ROOT)) {
        case "off" -> null;
        case "compliance" -> io.cairn.store.S3Store.LockMode.COMPLIANCE;
        case "governance" -> io.cairn.store.S3Store.LockMode.GOVERNANCE;
        default -> throw new IllegalArgumentException("storage.object-lock must be off, compliance or governance, "
            + "not '" + p.getProperty("storage.object-lock") + "'");
      };
      if (where.isEmpty()) {
        if (lock != null) {
          throw new IllegalArgumentException("storage.object-lock needs storage.location to be a bucket");
        }
        return new Storage(null, layout, keys, capacity, retry, null);
      }
      if (!(io.cairn.store.StoreLocation.parse(where) instanceof io.cairn.store.StoreLocation.Bucket b)) {
        throw new IllegalArgumentException("storage.location must be empty (the data directory) or a bucket "
            + "s3:https://HOST[:PORT]/BUCKET[/PREFIX], not '" + where + "'");
      }
      return new Storage(b, layout, keys, capacity, retry, lock);
    }

    /** Whether repositories are in a bucket rather than the data directory. */
    public boolean inBucket() {
      return location != null;
    }
  }

  /** How the server speaks TLS. */
  public enum TlsMode {
    /** A self-signed certificate generated on first start; agents pin its fingerprint. */
    SELF_SIGNED,
    /** The operator's certificate chain and key in PEM files. */
    PEM,
    /** Plain HTTP, for use behind a TLS-terminating proxy on the same host only. */
    OFF
  }

  static final Map<String, String> DEFAULTS = Map.ofEntries(
      Map.entry("listen.host", "0.0.0.0"),
      Map.entry("listen.port", "8443"),
      Map.entry("tls", "self-signed"),
      Map.entry("tls.certificate", ""),
      Map.entry("tls.private-key", ""),
      Map.entry("public.url", ""),
      Map.entry("objects.max-bytes", String.valueOf(64L << 20)),
      Map.entry("jobs.gc.interval", "24h"),
      Map.entry("jobs.scrub.interval", "168h"),
      Map.entry("jobs.retention.interval", "24h"),
      Map.entry("jobs.gc.grace", "1h"),
      Map.entry("jobs.gc.fence-margin", "5m"),
      Map.entry("jobs.gc.session-idle", "6h"),
      Map.entry("jobs.scrub.read-percent", "100"),
      Map.entry("metrics.token", ""),
      Map.entry("shutdown.grace", "20s"),
      Map.entry("http.idle-timeout", "30s"),
      Map.entry("log.requests", "false"),
      Map.entry("storage.location", ""),
      Map.entry("storage.layout", "shared"),
      Map.entry("storage.s3.access-key-id", ""),
      Map.entry("storage.s3.secret-access-key", ""),
      Map.entry("storage.capacity-bytes", "0"),
      Map.entry("storage.retry-for", "60s"),
      Map.entry("storage.object-lock", "off"));

  /** Loads the file (when it exists) and applies {@code env} overrides over the defaults. */
  public static ServerConfig load(Path dataDir, Path configFile, Map<String, String> env) {
    Properties p = new Properties();
    DEFAULTS.forEach(p::setProperty);
    Path file = configFile != null ? configFile : dataDir.resolve("server.properties");
    if (Files.exists(file)) {
      Properties fromFile = new Properties();
      try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        fromFile.load(r);
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read the server configuration " + file + ": " + e.getMessage(), e);
      }
      Set<String> unknown = new TreeSet<>(fromFile.stringPropertyNames());
      unknown.removeAll(DEFAULTS.keySet());
      if (!unknown.isEmpty()) {
        throw new IllegalArgumentException("unknown setting(s) " + unknown + " in " + file
            + "; the settings are listed in docs/server.md");
      }
      fromFile.stringPropertyNames().forEach(k -> p.setProperty(k, fromFile.getProperty(k).trim()));
    } else if (configFile != null) {
      throw new IllegalArgumentException("configuration file " + configFile + " does not exist");
    }
    for (String k : DEFAULTS.keySet()) {
      String v = env.get(envName(k));
      if (v != null) {
        p.setProperty(k, v.trim());
      }
    }
    return new ServerConfig(dataDir.toAbsolutePath().normalize(),
        p.getProperty("listen.host"),
        (int) integer(p, "listen.port", 0, 65535),
        tlsMode(p.getProperty("tls")),
        path(p.getProperty("tls.certificate")),
        path(p.getProperty("tls.private-key")),
        p.getProperty("public.url"),
        integer(p, "objects.max-bytes", 1 << 20, Integer.MAX_VALUE - 8),
        duration(p, "jobs.gc.interval"),
        duration(p, "jobs.scrub.interval"),
        duration(p, "jobs.retention.interval"),
        duration(p, "jobs.gc.grace"),
        duration(p, "jobs.gc.fence-margin"),
        duration(p, "jobs.gc.session-idle"),
        (int) integer(p, "jobs.scrub.read-percent", 0, 100),
        p.getProperty("metrics.token"),
        duration(p, "shutdown.grace"),
        duration(p, "http.idle-timeout"),
        bool(p, "log.requests"),
        Storage.parse(p)).validated();
  }

  /** {@code listen.port} → {@code CAIRN_SERVER_LISTEN_PORT}. */
  public static String envName(String key) {
    return "CAIRN_SERVER_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  private ServerConfig validated() {
    if (tls == TlsMode.PEM && (tlsCertificate == null || tlsPrivateKey == null)) {
      throw new IllegalArgumentException("tls=pem needs tls.certificate and tls.private-key (PEM files)");
    }
    return this;
  }

  public ServerConfig withPort(int port) {
    return new ServerConfig(dataDir, listenHost, port, tls, tlsCertificate, tlsPrivateKey, publicUrl,
        maxObjectBytes, gcInterval, scrubInterval, retentionInterval, gcGrace, gcFenceMargin, gcSessionIdle,
        scrubReadPercent, metricsToken, shutdownGrace, idleTimeout, logRequests, storage);
  }

  private static TlsMode tlsMode(String v) {
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "self-signed" -> TlsMode.SELF_SIGNED;
      case "pem" -> TlsMode.PEM;
      case "off" -> TlsMode.OFF;
      default -> throw new IllegalArgumentException("tls must be self-signed, pem or off, not '" + v + "'");
    };
  }

  private static boolean bool(Properties p, String key) {
    String v = p.getProperty(key).toLowerCase(Locale.ROOT);
    return switch (v) {
      case "true", "yes", "on" -> true;
      case "false", "no", "off" -> false;
      default -> throw new IllegalArgumentException(key + " must be true or false, not '" + v + "'");
    };
  }

  private static Path path(String v) {
    return v == null || v.isBlank() ? null : Path.of(v);
  }

  private static long integer(Properties p, String key, long min, long max) {
    String v = p.getProperty(key);
    try {
      long n = Long.parseLong(v);
      if (n < min || n > max) {
        throw new IllegalArgumentException(key + " must be between " + min + " and " + max + ", not " + v);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a whole number, not '" + v + "'", e);
    }
  }

  /** Durations such as 90s, 15m, 24h, 7d; 0 turns a schedule off. */
  static Duration duration(Properties p, String key) {
    String v = p.getProperty(key);
    return io.cairn.text.Units.parseDuration(v, key);
  }

}
