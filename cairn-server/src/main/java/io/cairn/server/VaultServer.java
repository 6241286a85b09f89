package io.cairn.server;

import io.cairn.server.tls.TlsMaterial;
import io.javalin.Javalin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One vault server: SQLite metadata and the tenants' repositories in a data directory, the HTTP
 * API over TLS, metering and the maintenance schedules. {@link #start} returns once it listens.
 */
public final class VaultServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(VaultServer.class);
  private static final Logger ACCESS = LoggerFactory.getLogger("io.cairn.server.access");

  private final ServerConfig config;
  private final Clock clock;
  private final Database db;
  private final Accounts accounts;
  private final Repositories repositories;
  private final Metering metering;
  private final Audit audit;
  private final ObjectService objects;
  private final Maintenance maintenance;
  private final Refusals refusals;
  private final ObjectLocks locks;
  private final Api api;
  private final Business business;
  private final ScheduledExecutorService flusher = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "cairn-metering");
    t.setDaemon(true);
    return t;
  });
  private TlsMaterial tls;
  private Javalin app;
  private Optional<String> initialAdminPassword = Optional.empty();
  private volatile boolean closed;
  private boolean adminPasswordGiven;

  public VaultServer(ServerConfig config, Clock clock) {
    this(config, clock, java.util.function.UnaryOperator.identity());
  }

  /**
   * @param storeFaults wraps each bucket store beneath the retries: fault injection for tests (an
   *     object store answering 503 or stalling), the identity otherwise
   */
  public VaultServer(ServerConfig config, Clock clock, java.util.function.UnaryOperator<io.cairn.store.BlobStore> storeFaults) {
    this.config = config;
    this.clock = clock;
    try {
      Files.createDirectories(config.dataDir().resolve("repos"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the data directory " + config.dataDir() + ": " + e.getMessage(), e);
    }
    this.db = Database.open(config.dataDir().resolve("cairn.db"));
    this.accounts = new Accounts(db, clock);
    this.repositories = new Repositories(db, config.dataDir(), config.storage(), clock, storeFaults);
    this.metering = new Metering(db, repositories, clock);
    this.audit = new Audit(db, clock);
    this.refusals = new Refusals(db, audit, clock);
    this.locks = new ObjectLocks(db, clock, config.storage().objectLock() != null);
    this.objects = new ObjectService(db, repositories, metering, locks, config.maxObjectBytes());
    this.maintenance = new Maintenance(db, repositories, audit, locks, config, clock);
    this.business = new Business(db, repositories, metering, config.dataDir(), clock);
    this.api = new Api(this);
  }

  /**
   * Opens the repositories, creates the provider's administrator on first start (password from
   * {@code adminPassword} or generated), and starts listening.
   */
  public VaultServer start(String adminPassword) {
    repositories.openAll();
    for (var t : accounts.tenants()) {
      metering.watchTenant(((Number) t.get("id")).longValue());
    }
    initialAdminPassword = accounts.bootstrapAdmin("admin", adminPassword);
    adminPasswordGiven = adminPassword != null && !adminPassword.isBlank();
    initialAdminPassword.ifPresent(p -> audit.system(null, "server.bootstrap", "user admin", Map.of()));
    tls = switch (config.tls()) {
      case SELF_SIGNED -> TlsMaterial.loadOrCreate(config.dataDir().resolve("tls"), extraNames(), clock);
      case PEM -> TlsMaterial.fromPem(config.tlsCertificate(), config.tlsPrivateKey());
      case OFF -> null;
    };
    app = Javalin.create(c -> {
      c.startup.showJavalinBanner = false;
      c.startup.showOldJavalinVersionWarning = false;
      c.concurrency.useVirtualThreads = true;
      c.http.maxRequestSize = 64 << 10;
      c.http.prefer405over404 = true;
      c.jetty.modifyServer(s -> {
        // On stop, refuse new requests and let the ones in flight finish, up to shutdown.grace.
        s.insertHandler(new GracefulHandler());
        // Requests Jetty refuses before the API sees them (bad URIs, huge headers) answer in JSON too.
        s.setErrorHandler(new JsonErrorHandler());
        s.setStopTimeout(config.shutdownGrace().toMillis());
      });
      c.jetty.addConnector((server, httpConfig) -> {
        httpConfig.setSendServerVersion(false);
        httpConfig.setRequestHeaderSize(16 << 10);
        ServerConnector connector;
        if (tls != null) {
          SecureRequestCustomizer src = new SecureRequestCustomizer();
          src.setSniHostCheck(false);
          httpConfig.addCustomizer(src);
          SslContextFactory.Server ssl = new SslContextFactory.Server();
          ssl.setSslContext(tls.serverContext());
          connector = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"),
              new HttpConnectionFactory(httpConfig));
        } else {
          connector = new ServerConnector(server, new HttpConnectionFactory(httpConfig));
        }
        connector.setHost(config.listenHost());
        connector.setPort(config.listenPort());
        // Slow or stalled clients are cut off after this long without progress.
        connector.setIdleTimeout(config.idleTimeout().toMillis());
        return connector;
      });
      // The console: static files only; everything it shows comes from the API (docs/console.md).
      c.staticFiles.add(sf -> {
        sf.hostedPath = "/console";
        sf.directory = "/console";
        sf.location = io.javalin.http.staticfiles.Location.CLASSPATH;
        sf.headers = Map.of("Content-Security-Policy", Api.CSP, "X-Content-Type-Options", "nosniff",
            "X-Frame-Options", "DENY", "Referrer-Policy", "no-referrer", "Cache-Control", "no-cache");
      });
      api.install(c);
      if (config.logRequests()) {
        // An access log: method, path, status, bytes out, milliseconds, caller (never a token).
        c.requestLogger.http((ctx, ms) -> ACCESS.info("{} {} {} {} {}ms {}", ctx.ip(), ctx.method(), ctx.path(),
            ctx.statusCode(), String.format("%.1f", ms), ctx.<Object>attribute(Api.PRINCIPAL) instanceof Principal p
                ? p.describe() : "-"));
      }
    });
    app.start();
    LOG.debug("handlers: {}", app.jettyServer().server().getHandler());
    if (!(app.jettyServer().server().getHandler() instanceof GracefulHandler)) {
      LOG.warn("graceful shutdown handler is not in place: in-flight requests are cut off at stop");
    }
    maintenance.start();
    flusher.scheduleWithFixedDelay(() -> {
      try {
        metering.flush();
      } catch (RuntimeException e) {
        LOG.warn("could not write usage: {}", e.toString());
      }
    }, 5, 5, TimeUnit.SECONDS);
    return this;
  }

  private List<String> extraNames() {
    if (config.publicUrl() == null || config.publicUrl().isBlank()) {
      return List.of();
    }
    return List.of(java.net.URI.create(config.publicUrl()).getHost());
  }

  /** The port actually listened on (useful with port 0). */
  public int port() {
    return ((ServerConnector) app.jettyServer().server().getConnectors()[0]).getLocalPort();
  }

  /** What agents and browsers use to reach this server. */
  public String publicUrl() {
    if (config.publicUrl() != null && !config.publicUrl().isBlank()) {
      return config.publicUrl().replaceAll("/+$", "");
    }
    return (tls != null ? "https" : "http") + "://localhost:" + port();
  }

  /** The TLS certificate's fingerprint for agents to pin, or null without TLS. */
  public String fingerprint() {
    return tls == null ? null : tls.fingerprint();
  }

  public boolean selfSigned() {
    return tls != null && tls.selfSigned();
  }

  /** The first administrator's password when this start created the account, else empty. */
  public Optional<String> initialAdminPassword() {
    return initialAdminPassword;
  }

  /** Whether that password came from the caller (CAIRN_ADMIN_PASSWORD) rather than being generated. */
  public boolean adminPasswordGiven() {
    return adminPasswordGiven;
  }

  /** Stops accepting, lets in-flight requests finish (up to shutdown.grace), then flushes usage. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    LOG.info("stopping: no new connections; in-flight requests get up to {} s to finish",
        config.shutdownGrace().toSeconds());
    if (app != null) {
      app.stop();
    }
    maintenance.stop();
    flusher.shutdownNow();
    try {
      metering.flush();
    } catch (RuntimeException e) {
      LOG.warn("could not write usage at shutdown: {}", e.toString());
    }
    locks.close();
    repositories.close();
    LOG.info("stopped");
  }

  public ServerConfig config() {
    return config;
  }

  public Database database() {
    return db;
  }

  public Accounts accounts() {
    return accounts;
  }

  public Repositories repositories() {
    return repositories;
  }

  public Metering metering() {
    return metering;
  }

  public Audit audit() {
    return audit;
  }

  Refusals refusals() {
    return refusals;
  }

  public ObjectService objects() {
    return objects;
  }

  public Maintenance maintenance() {
    return maintenance;
  }

  public Business business() {
    return business;
  }

  public Api api() {
    return api;
  }

  public Clock clock() {
    return clock;
  }

}
