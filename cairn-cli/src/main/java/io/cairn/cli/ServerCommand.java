package io.cairn.cli;

import io.cairn.server.ServerConfig;
import io.cairn.server.VaultServer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code cairn server}: runs the vault server until SIGTERM or Ctrl-C. */
@Command(name = "server", mixinStandardHelpOptions = true,
    description = "Run the Cairn vault server: tenants' repositories, accounts, quotas, metering and keyless "
        + "maintenance over HTTPS. Settings come from DATA/server.properties and CAIRN_SERVER_* variables "
        + "(docs/server.md).",
    footer = {"", "Example:", "  cairn server --data /var/lib/cairn", "",
        "On first start it creates the administrator 'admin' and prints the password (or takes it from "
            + "CAIRN_ADMIN_PASSWORD), and with the default tls=self-signed prints the certificate fingerprint "
            + "agents must pin."})
final class ServerCommand implements Callable<Integer> {
  @ParentCommand
  Main main;

  @Spec
  CommandSpec spec;

  @Option(names = "--data", paramLabel = "DIR", defaultValue = "${env:CAIRN_SERVER_DATA:-/var/lib/cairn}",
      description = "Data directory: database, TLS material and repositories (default: $CAIRN_SERVER_DATA or "
          + "/var/lib/cairn).")
  Path data;

  @Option(names = "--config", paramLabel = "FILE", description = "Settings file (default: DATA/server.properties).")
  Path config;

  @Option(names = "--port", paramLabel = "PORT", description = "Port to listen on (overrides listen.port).")
  Integer port;

  @Override
  public Integer call() throws InterruptedException {
    ServerConfig c = ServerConfig.load(data, config, System.getenv());
    if (port != null) {
      c = c.withPort(port);
    }
    VaultServer server = new VaultServer(c, Clock.systemUTC());
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "cairn-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    server.start(System.getenv("CAIRN_ADMIN_PASSWORD"));
    var out = spec.commandLine().getOut();
    out.println("cairn server listening on " + server.publicUrl() + " (data in " + c.dataDir() + ")");
    if (server.fingerprint() != null) {
      out.println("certificate fingerprint: " + server.fingerprint() + (server.selfSigned()
          ? "  (self-signed: agents pass it to 'cairn enroll --fingerprint')" : ""));
    }
    server.initialAdminPassword().ifPresent(p -> {
      out.println("first start: created the administrator 'admin' with " + (server.adminPasswordGiven()
          ? "the password from CAIRN_ADMIN_PASSWORD" : "the password " + p + "  (shown once: keep it safe)"));
      out.println("log in: curl -k -X POST " + server.publicUrl()
          + "/api/v1/login -d '{\"username\":\"admin\",\"password\":\"...\"}'");
    });
    out.flush();
    stopped.await();
    return 0;
  }
}
