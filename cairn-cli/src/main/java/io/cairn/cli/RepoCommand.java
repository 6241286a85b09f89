package io.cairn.cli;

import io.cairn.format.CairnException;
import io.cairn.repository.Repository;
import io.cairn.repository.RepositoryOptions;
import io.cairn.store.BlobStore;
import io.cairn.store.Stores;
import java.io.Console;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** Shared plumbing: locating, opening and reporting on a repository. */
abstract class RepoCommand implements Callable<Integer> {
  @ParentCommand
  Main main;

  @Spec
  CommandSpec spec;

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  boolean json() {
    return main.json;
  }

  String location() {
    String r = main.repo != null ? main.repo : System.getenv("CAIRN_REPOSITORY");
    if (r == null || r.isBlank()) {
      throw new IllegalArgumentException("no repository given: use -r/--repo DIR or set CAIRN_REPOSITORY");
    }
    return r;
  }

  BlobStore store() {
    return storeAt(location());
  }

  /** The store at a location, with this command's retries and server credentials. */
  BlobStore storeAt(String location) {
    Stores.Access access = Stores.Access.of(main.retryFor())
        .withRetries(new OutageReport(err()))
        .withServer(url -> {
          Credentials.Entry c = Credentials.forRepository(main.credentialsFile(), url);
          return new Stores.ServerCredential(c.token(), c.fingerprint());
        }, w -> {
          err().println("cairn: warning from the server: " + w);
          err().flush();
        });
    return Stores.open(location, access);
  }

  /**
   * Refuses a command that removes or rewrites repository objects when the repository is on a
   * server: there, retention, garbage collection and repair are the server's (agents may only add).
   */
  void serverDoesThis(String command, boolean dryRun) {
    refuseOnServer(dryRun, "'" + command + "' is run by the server for server repositories: agents may add backups "
        + "but never remove anything. Ask the tenant's administrator to set the repository's retention policy"
        + (command.equals("forget") ? " (--dry-run shows what a policy would keep)" : ""));
  }

  /** Refuses a change to a server repository that only the server (or its operator) may make. */
  void refuseOnServer(boolean dryRun, String why) {
    if (!dryRun && io.cairn.store.StoreLocation.parse(location()) instanceof io.cairn.store.StoreLocation.Server) {
      throw new IllegalArgumentException(why);
    }
  }

  Path cacheDir() {
    if (main.cacheDir != null) {
      return main.cacheDir;
    }
    String env = System.getenv("CAIRN_CACHE_DIR");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isBlank()) {
      return Path.of(xdg, "cairn");
    }
    return Path.of(System.getProperty("user.home"), ".cache", "cairn");
  }

  RepositoryOptions options() {
    return RepositoryOptions.defaults(cacheDir());
  }

  char[] password(String purpose) {
    char[] given = givenPassword();
    if (given != null) {
      return given;
    }
    Console c = System.console();
    if (c != null && c.isTerminal()) {
      char[] p = c.readPassword("%s", purpose + ": ");
      if (p != null) {
        return p;
      }
    }
    throw new IllegalArgumentException("no password given: use --password-file FILE, CAIRN_PASSWORD_FILE "
        + "or CAIRN_PASSWORD, or run on a terminal to be asked");
  }

  /** The password from --password-file, CAIRN_PASSWORD_FILE or CAIRN_PASSWORD; null when none is given. */
  char[] givenPassword() {
    Path file = main.passwordFile;
    if (file == null && System.getenv("CAIRN_PASSWORD_FILE") != null) {
      file = Path.of(System.getenv("CAIRN_PASSWORD_FILE"));
    }
    if (file != null) {
      return readPasswordFile(file);
    }
    String env = System.getenv("CAIRN_PASSWORD");
    return env == null ? null : env.toCharArray();
  }

  static char[] readPasswordFile(Path file) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      if (lines.isEmpty() || lines.getFirst().isEmpty()) {
        throw new IllegalArgumentException("password file " + file + " is empty");
      }
      return lines.getFirst().toCharArray();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read password file " + file + ": " + io.cairn.text.IoErrors.reason(e)
          + (e instanceof java.nio.file.AccessDeniedException ? " for user " + System.getProperty("user.name") : "")
          + "; give the file that holds the password with --password-file or CAIRN_PASSWORD_FILE", e);
    }
  }

  Repository open() {
    return open(Repository::open);
  }

  /** As {@link #open}, for a command that reads snapshots only: the index is not loaded. */
  Repository openForSnapshots() {
    return open(Repository::openForSnapshots);
  }

  /** {@code Repository.open} or one of its variants. */
  private interface Opening {
    Repository open(BlobStore store, char[] password, RepositoryOptions options);
  }

  private Repository open(Opening how) {
    BlobStore s = store();
    Repository.readConfig(s); // fails first with "no repository" rather than asking for a password
    return how.open(s, password("enter password for repository " + location()), options());
  }

  boolean progressWanted() {
    Console c = System.console();
    return !main.quiet && !json() && c != null && c.isTerminal();
  }

  void printJson(Object value) {
    out().println(io.cairn.format.Json.compact(value));
    out().flush();
  }

  static CairnException fail(String message) {
    return new CairnException(message);
  }
}
