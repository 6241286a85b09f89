package io.cairn.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cairn.format.Json;
import io.cairn.repository.RepositoryOptions;
import io.cairn.store.HttpStore;
import io.cairn.store.PinnedTrust;
import java.io.IOException;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code cairn enroll}: exchanges an enrollment token for this machine's credential. */
@Command(name = "enroll", mixinStandardHelpOptions = true,
    description = "Enroll this machine with a Cairn server: exchange an enrollment token (from the tenant's "
        + "administrator) for this machine's own credential, saved in the credentials file.",
    footer = {"", "Example:",
        "  cairn enroll https://vault.example.net:8443 --token cairn_enroll_... --fingerprint sha256:...",
        "  cairn -r https://vault.example.net:8443/repos/acme/laptops backup ~/"})
final class EnrollCommand implements Callable<Integer> {
  @ParentCommand
  Main main;

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "SERVER", description = "The server, e.g. https://vault.example.net:8443")
  String server;

  @Option(names = "--token", required = true, paramLabel = "TOKEN", description = "The enrollment token.")
  String token;

  @Option(names = "--name", paramLabel = "NAME", description = "This machine's name on the server (default: host name).")
  String name;

  @Option(names = "--fingerprint", paramLabel = "SHA256",
      description = "The server certificate's fingerprint (sha256:...), printed when the server starts. Needed "
          + "for a self-signed certificate; without it the system's certificate authorities decide.")
  String fingerprint;

  @Override
  public Integer call() throws IOException, InterruptedException {
    String base = server.replaceAll("/+$", "");
    if (!base.matches("https?://[^/]+")) {
      throw new IllegalArgumentException("SERVER is https://HOST[:PORT] without a path, not '" + server + "'");
    }
    String pin = fingerprint == null ? null : PinnedTrust.normalise(fingerprint);
    String machine = name != null ? name : RepositoryOptions.localHost();
    JsonNode body = HttpStore.enroll(base, pin, token, machine);
    String url = body.path("repositoryUrl").asText();
    // The URL the server reports may use another host name; keep the one this machine reached it by.
    String repoUrl = base + "/repos/" + body.path("tenant").asText() + "/" + body.path("repository").asText();
    ObjectNode entry = Json.object();
    entry.put("token", body.path("credential").asText()).put("fingerprint", pin).put("scope",
        body.path("scope").asText()).put("agentId", body.path("agentId").asLong()).put("name", machine)
        .put("enrolledAt", Instant.now().toString());
    Credentials.save(main.credentialsFile(), repoUrl, entry);
    if (main.json) {
      ObjectNode o = Json.object();
      o.put("repository", repoUrl).put("serverRepositoryUrl", url).put("scope", body.path("scope").asText())
          .put("agentId", body.path("agentId").asLong()).put("credentials", main.credentialsFile().toString());
      spec.commandLine().getOut().println(Json.compact(o));
    } else {
      var out = spec.commandLine().getOut();
      out.println("enrolled as '" + machine + "' with scope " + body.path("scope").asText() + " for " + repoUrl);
      out.println("credential saved in " + main.credentialsFile());
      out.println("next: cairn -r " + repoUrl + " init      (once per repository, if nobody has yet)");
      out.println("      cairn -r " + repoUrl + " backup DIR");
    }
    return 0;
  }

}
