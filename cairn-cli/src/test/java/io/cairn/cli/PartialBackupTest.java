package io.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Unreadable files are reported and skipped, the snapshot is still written and the exit code
 * says it is partial. Root can read everything, so when the tests run as root the backup runs
 * as the unprivileged user "nobody" (setpriv), in a real cairn process.
 */
class PartialBackupTest {
  Path work;

  @AfterEach
  void cleanup() throws Exception {
    if (work != null) {
      new ProcessBuilder("chmod", "-R", "u+rwx", work.toString()).start().waitFor();
      new ProcessBuilder("rm", "-rf", work.toString()).start().waitFor();
    }
  }

  @Test
  void unreadableEntriesAreSkippedAndReported() throws Exception {
    boolean root = "root".equals(System.getProperty("user.name"));
    work = Files.createTempDirectory(Path.of("/tmp"), "cairn-partial");
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxrwxrwx"));
    Path src = Files.createDirectories(work.resolve("src"));
    Files.writeString(src.resolve("readable.txt"), "fine\n");
    Path secret = src.resolve("secret.txt");
    Files.writeString(secret, "nobody may read this\n");
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("---------"));
    Path closed = Files.createDirectories(src.resolve("closed"));
    Files.writeString(closed.resolve("inside.txt"), "x");
    Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("---------"));
    for (Path p : List.of(work, src)) {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxrwxrwx"));
    }
    Cli cli = new Cli(Files.createDirectories(work.resolve("cli")));
    List<String> prefix = List.of();
    if (root) {
      // The unprivileged process needs a readable class path and a writable work area.
      Path cp = copyClassPath(work.resolve("cp"));
      cli.classPath = cp.toString();
      new ProcessBuilder("chmod", "-R", "a+rwX", cli.dir.toString(), cp.toString()).start().waitFor();
      prefix = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");
    }
    Map<String, String> env = Map.of("HOME", work.toString());
    Cli.Result init = cli.process(prefix, env, null, "init");
    assertThat(init.exit()).as(init.err()).isZero();
    Cli.Result b = cli.process(prefix, env, null, "--json", "backup", src.toString());
    assertThat(b.exit()).as(b.out() + b.err()).isEqualTo(ExitCodes.PARTIAL);
    assertThat(b.err()).contains("secret.txt: permission denied (skipped)").contains("closed");
    var json = CliEndToEndTest.json(b.out());
    assertThat(json.get("partial").asBoolean()).isTrue();
    Cli.Result ls = cli.process(prefix, env, null, "ls", "latest");
    assertThat(ls.out()).contains("readable.txt").doesNotContain("secret.txt");
    Cli.Result snaps = cli.process(prefix, env, null, "snapshots");
    assertThat(snaps.out()).contains("(partial)");
  }

  /** Copies every class-path entry to a directory others can read (/root is private). */
  static Path copyClassPath(Path dest) throws Exception {
    Files.createDirectories(dest);
    List<String> entries = new ArrayList<>();
    int i = 0;
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path from = Path.of(e);
      if (!Files.exists(from)) {
        continue;
      }
      Path to = dest.resolve((i++) + "-" + from.getFileName());
      if (Files.isDirectory(from)) {
        try (Stream<Path> s = Files.walk(from)) {
          for (Path p : s.toList()) {
            Path t = to.resolve(from.relativize(p).toString());
            if (Files.isDirectory(p)) {
              Files.createDirectories(t);
            } else {
              Files.copy(p, t);
            }
          }
        }
      } else {
        Files.copy(from, to);
      }
      entries.add(to.toString());
    }
    return Path.of(String.join(File.pathSeparator, entries));
  }
}
