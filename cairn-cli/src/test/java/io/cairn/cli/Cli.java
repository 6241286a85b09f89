package io.cairn.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the cairn CLI in this JVM or as a real process, against a repository in a temp dir. */
final class Cli {
  record Result(int exit, String out, String err) {}

  final Path dir;
  final Path repo;
  final Path cache;
  final Path passwordFile;
  /** The repository's location: the directory {@link #repo}, or a bucket a test sets. */
  String location;
  /** Class path of the cairn process; tests running it as another user point it at a copy. */
  String classPath = System.getProperty("java.class.path");

  Cli(Path dir) throws IOException {
    this.dir = dir;
    this.repo = dir.resolve("repo");
    this.cache = dir.resolve("cache");
    this.passwordFile = dir.resolve("password");
    this.location = repo.toString();
    Files.writeString(passwordFile, "test password\n");
  }

  List<String> common() {
    return List.of("-r", location, "--password-file", passwordFile.toString(), "--cache-dir", cache.toString());
  }

  /** In-process: fast, same code path as the real command apart from process exit. */
  Result run(String... args) {
    List<String> all = new ArrayList<>(common());
    if (List.of(args).contains("--password-file")) {
      all.subList(2, 4).clear();
    }
    all.addAll(List.of(args));
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    int rc;
    try (PrintWriter out = new PrintWriter(o, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(e, true, StandardCharsets.UTF_8)) {
      rc = Main.run(all.toArray(String[]::new), out, err);
    }
    return new Result(rc, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
  }

  /** In-process against another repository location. */
  Result runAt(Path repoDir, String... args) {
    return runAt(repoDir.toString(), args);
  }

  /** In-process against another repository location: a directory or a server URL. */
  Result runAt(String location, String... args) {
    List<String> all = new ArrayList<>(List.of("-r", location));
    all.addAll(List.of(args));
    List<String> rest = new ArrayList<>(common().subList(2, common().size()));
    rest.addAll(all);
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    int rc;
    try (PrintWriter out = new PrintWriter(o, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(e, true, StandardCharsets.UTF_8)) {
      rc = Main.run(rest.toArray(String[]::new), out, err);
    }
    return new Result(rc, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
  }

  /** Starts a real `cairn` process and returns at once (output discarded), e.g. to kill it. */
  Process start(String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.fs=ALL-UNNAMED",
        "-Xmx512m", "-cp", classPath, "io.cairn.cli.Main"));
    cmd.addAll(common());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put("CAIRN_KDF_MEMORY_KIB", "1024");
    pb.environment().put("LC_ALL", "C.UTF-8");
    return pb.start();
  }

  /** A real `cairn` JVM process, optionally under another user (prefix such as setpriv). */
  Result process(List<String> prefix, Map<String, String> env, byte[] stdin, String... args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.fs=ALL-UNNAMED",
        "-Xmx512m", "-cp",
        classPath, "io.cairn.cli.Main"));
    cmd.addAll(common());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("CAIRN_KDF_MEMORY_KIB", "1024");
    pb.environment().put("LC_ALL", "C.UTF-8");
    pb.environment().putAll(env);
    pb.environment().put("CAIRN_CACHE_DIR", cache.toString());
    Path outF = Files.createTempFile(dir, "out", ".txt");
    Path errF = Files.createTempFile(dir, "err", ".txt");
    pb.redirectOutput(outF.toFile()).redirectError(errF.toFile());
    Process p = pb.start();
    try (var in = p.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin);
      }
    }
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("cairn did not finish within 120 s: " + cmd);
    }
    return new Result(p.exitValue(), Files.readString(outF), Files.readString(errF));
  }
}
