package io.cairn.cli;

import io.cairn.crypto.WrongPasswordException;
import io.cairn.format.CairnException;
import io.cairn.format.CorruptObjectException;
import io.cairn.format.Json;
import io.cairn.format.ObjectNotFoundException;
import io.cairn.repository.RepositoryNotFoundException;
import io.cairn.store.StoreException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ScopeType;

/** The {@code cairn} command. */
@Command(name = "cairn", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
    description = "Encrypted, deduplicated backups.%n%n"
        + "The repository comes from -r/--repo or CAIRN_REPOSITORY; the password from "
        + "--password-file, CAIRN_PASSWORD_FILE, CAIRN_PASSWORD, or a prompt on a terminal.",
    footer = {"", "Exit codes: 0 success, 1 error, 2 usage, 3 backup written but some files unreadable, "
        + "10 no repository at the location, 12 wrong password. With --json, an error is one JSON object on "
        + "stderr: {\"message_type\":\"error\",\"exit_code\":N,\"message\":\"...\"}."})
public final class Main {
  @Option(names = {"-r", "--repo"}, scope = ScopeType.INHERIT, paramLabel = "REPOSITORY",
      description = "Repository location: a directory, an S3 bucket s3:https://HOST[:PORT]/BUCKET[/PREFIX] (keys "
          + "from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE), or a server repository "
          + "https://HOST:PORT/repos/TENANT/REPO (default: $CAIRN_REPOSITORY).")
  String repo;

  @Option(names = "--password-file", scope = ScopeType.INHERIT, paramLabel = "FILE",
      description = "Read the password from the first line of FILE (default: $CAIRN_PASSWORD_FILE).")
  Path passwordFile;

  @Option(names = "--json", scope = ScopeType.INHERIT, description = "Print machine-readable JSON on stdout.")
  boolean json;

  @Option(names = "--cache-dir", scope = ScopeType.INHERIT, paramLabel = "DIR",
      description = "Local cache (default: $CAIRN_CACHE_DIR, else $XDG_CACHE_HOME/cairn, else ~/.cache/cairn).")
  Path cacheDir;

  @Option(names = "--credentials", scope = ScopeType.INHERIT, paramLabel = "FILE",
      description = "Agent credentials for server repositories, written by 'cairn enroll' (default: "
          + "$CAIRN_CREDENTIALS, else $XDG_CONFIG_HOME/cairn/credentials.json, else ~/.config/cairn/credentials.json).")
  Path credentials;

  @Option(names = "--retry-for", scope = ScopeType.INHERIT, paramLabel = "DURATION", defaultValue = "15m",
      description = "How long to keep retrying an unreachable server or bucket before giving up, e.g. 90s, 15m "
          + "(default: 15m).")
  String retryFor;

  @Option(names = {"-q", "--quiet"}, scope = ScopeType.INHERIT, description = "Print no progress.")
  boolean quiet;

  Path credentialsFile() {
    if (credentials != null) {
      return credentials;
    }
    String env = System.getenv("CAIRN_CREDENTIALS");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    String xdg = System.getenv("XDG_CONFIG_HOME");
    if (xdg != null && !xdg.isBlank()) {
      return Path.of(xdg, "cairn", "credentials.json");
    }
    return Path.of(System.getProperty("user.home"), ".config", "cairn", "credentials.json");
  }

  java.time.Duration retryFor() {
    return io.cairn.text.Units.parseDuration(retryFor, "--retry-for");
  }

  public static void main(String[] args) {
    io.cairn.trace.Trace.mark("main");
    NativeLibraries.locateZstd();
    // While picocli reads the arguments: link libargon2 and create the JSON mapper (~0.2 s together).
    Thread.ofPlatform().daemon().name("cairn-prepare").start(() -> {
      io.cairn.crypto.KeyWrapper.prepare();
      io.cairn.format.Json.prepare();
    });
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** The subcommands, in the order help lists them ({@code help} comes last). */
  static final List<Class<?>> COMMANDS = List.of(InitCommand.class, BackupCommand.class,
      SnapshotsCommand.class, LsCommand.class, DiffCommand.class, RestoreCommand.class, CatCommand.class,
      StatsCommand.class, KeyCommand.class, CheckCommand.class, ForgetCommand.class, PruneCommand.class,
      RepairCommand.class, UnlockCommand.class, EnrollCommand.class, AgentCommand.class, ServerCommand.class);

  /**
   * The subcommand the arguments name, or null when that is not plain (no subcommand, {@code
   * help}, an unknown name, or an option {@code cairn} itself does not have). Which options take
   * a value comes from {@code main}, the model of {@code cairn}'s own options. picocli builds the
   * model of a command from its annotations by reflection; building only the one that runs (all
   * of them for help and error messages) took {@code cairn snapshots --help} from 0.77–0.82 s to
   * 0.60–0.69 s.
   */
  static Class<?> requested(String[] args, CommandSpec main) {
    return command(firstWord(args, main));
  }

  /** The command class of that name, or null. */
  static Class<?> command(String name) {
    for (Class<?> c : COMMANDS) {
      if (c.getAnnotation(Command.class).name().equals(name)) {
        return c;
      }
    }
    return null;
  }

  /**
   * The first argument that is neither one of {@code cairn}'s own options nor its value: the
   * command's name as typed. Null when there is none, or when an option {@code cairn} does not
   * have (or {@code --}) comes first, since what follows it cannot be read for sure.
   */
  static String firstWord(String[] args, CommandSpec main) {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--")) {
        return null;
      }
      if (a.startsWith("--")) {
        int eq = a.indexOf('=');
        OptionSpec o = main.findOption(eq < 0 ? a : a.substring(0, eq));
        if (o == null) {
          return null;
        }
        if (eq < 0 && o.arity().max() > 0) {
          i++;
        }
        continue;
      }
      if (a.startsWith("-") && a.length() > 1) {
        // A cluster of short options: flags, then perhaps one that takes the rest or the next argument.
        for (int k = 1; k < a.length(); k++) {
          OptionSpec o = main.findOption(a.charAt(k));
          if (o == null) {
            return null;
          }
          if (o.arity().max() > 0) {
            if (k == a.length() - 1) {
              i++;
            }
            break;
          }
        }
        continue;
      }
      return a;
    }
    return null;
  }

  /** As {@link #requested(String[], CommandSpec)} with a model of {@code cairn}'s options made for the call. */
  static Class<?> requested(String[] args) {
    return requested(args, new CommandLine(new Main()).getCommandSpec());
  }

  /**
   * The options of {@code cairn} that a command has no use for, by command: they are taken out of
   * its model, so that its help does not list them and giving them is a usage error. Every other
   * command works on a repository and uses them all.
   */
  static final Map<String, Set<String>> UNUSED_GLOBALS = Map.of(
      "server", Set.of("--repo", "--password-file", "--json", "--cache-dir", "--credentials",
          "--retry-for", "--quiet"),
      "enroll", Set.of("--repo", "--password-file", "--cache-dir", "--retry-for", "--quiet"),
      "agent", Set.of("--repo", "--password-file", "--quiet"));

  static CommandLine commandLine(String[] args) {
    CommandLine cl = new CommandLine(new Main());
    Class<?> only = requested(args, cl.getCommandSpec());
    for (Class<?> c : COMMANDS) {
      if (only == null || only == c) {
        try {
          cl.addSubcommand(c.getDeclaredConstructor().newInstance());
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    UNUSED_GLOBALS.forEach((name, unused) -> {
      CommandLine sub = cl.getSubcommands().get(name);
      if (sub != null) {
        for (String o : unused) {
          sub.getCommandSpec().remove(sub.getCommandSpec().findOption(o));
        }
      }
    });
    if (only == null) {
      cl.addSubcommand(new CommandLine.HelpCommand());
    }
    return cl;
  }

  static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cl = commandLine(args);
    cl.setOut(out);
    cl.setErr(err);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    // Before the command line is read (or when it cannot be), --json is looked for as typed.
    boolean json = Arrays.asList(args).contains("--json");
    String word = firstWord(args, cl.getCommandSpec());
    if (word != null && command(word) == null && !word.equals("help")) {
      return usageError(err, json, "unknown command '" + word + "'; the commands are "
          + String.join(", ", cl.getSubcommands().keySet()) + " (cairn --help describes them)");
    }
    CommandLine.IParameterExceptionHandler plain = cl.getParameterExceptionHandler();
    cl.setParameterExceptionHandler((ex, a) -> {
      if (!json) {
        return plain.handleParseException(ex, a);
      }
      return usageError(err, true, ex.getMessage() + " (" + ex.getCommandLine().getCommandSpec().qualifiedName()
          + " --help)");
    });
    cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
      int code = exitCode(ex);
      List<String> also = Arrays.stream(ex.getSuppressed()).map(Throwable::getMessage).toList();
      // The command line was read: --json is what picocli made of it.
      printError(err, cl.<Main>getCommand().json, code, message(ex), also);
      if (System.getenv("CAIRN_DEBUG") != null) {
        ex.printStackTrace(err);
      }
      err.flush();
      return code;
    });
    return cl.execute(args);
  }

  /** Reports a usage error and returns its exit code. */
  private static int usageError(PrintWriter err, boolean json, String message) {
    printError(err, json, ExitCodes.USAGE, message, List.of());
    err.flush();
    return ExitCodes.USAGE;
  }

  /**
   * An error as the user reads it ({@code cairn: message}, then an {@code also:} line for each
   * further problem) or, with --json, as one JSON object on one line.
   */
  private static void printError(PrintWriter err, boolean json, int code, String message, List<String> also) {
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("message_type", "error");
      m.put("exit_code", code);
      m.put("message", message);
      m.put("also", also);
      err.println(Json.compact(m));
      return;
    }
    err.println("cairn: " + message);
    for (String a : also) {
      err.println("  also: " + a);
    }
  }

  static String message(Throwable ex) {
    return switch (ex) {
      case io.cairn.format.FormatTooNewException f -> f.getMessage();
      case CorruptObjectException c -> "repository damage in " + c.getMessage()
          + "\n  Run 'cairn check --read-data' to see what is affected.";
      case ObjectNotFoundException n -> "missing object " + n.getMessage();
      case StoreException s -> "storage error: " + s.getMessage();
      case CairnException c -> c.getMessage();
      case IllegalArgumentException i -> i.getMessage();
      case java.io.UncheckedIOException u -> u.getMessage();
      case OutOfMemoryError o -> "out of memory; raise the heap with CAIRN_JAVA_OPTS=-Xmx4g";
      default -> ex.toString();
    };
  }

  static int exitCode(Throwable ex) {
    return switch (ex) {
      case RepositoryNotFoundException r -> ExitCodes.NO_REPOSITORY;
      case WrongPasswordException w -> ExitCodes.WRONG_PASSWORD;
      case IllegalArgumentException i -> ExitCodes.USAGE;
      default -> ExitCodes.ERROR;
    };
  }

  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"cairn " + io.cairn.agent.Version.VERSION + " (Java " + Runtime.version() + ")"};
    }
  }
}
