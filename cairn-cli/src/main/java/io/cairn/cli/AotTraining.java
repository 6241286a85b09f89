package io.cairn.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The training run for the JVM's ahead-of-time cache ({@code ./cairn} builds it after each
 * build with {@code -XX:AOTCacheOutput}): runs the common commands once, in this process, on a
 * throwaway repository of the given directory, so that the classes they load are stored loaded
 * and linked. Later commands start without parsing and linking those classes again.
 * Usage: {@code AotTraining SOURCE_DIR SCRATCH_DIR}.
 */
public final class AotTraining {
  private AotTraining() {}

  public static void main(String[] args) throws IOException {
    Path source = Path.of(args[0]);
    Path scratch = Path.of(args[1]);
    Files.createDirectories(scratch);
    Path pw = scratch.resolve("password");
    Files.writeString(pw, "aot-training\n");
    String repo = scratch.resolve("repo").toString();
    PrintWriter sink = new PrintWriter(Writer.nullWriter());
    String[][] commands = {
        {"init"},
        {"backup", source.toString()},
        {"backup", source.toString()},
        {"snapshots"},
        {"snapshots", "--json"},
        {"ls", "latest"},
        {"restore", "latest", "--target", scratch.resolve("restored").toString()},
        {"check"},
        {"stats"},
        {"forget", "--keep-last", "1", "--dry-run"},
        {"--help"},
        {"backup", "--help"},
    };
    for (String[] c : commands) {
      String[] full = new String[c.length + 4];
      full[0] = "-r";
      full[1] = repo;
      full[2] = "--password-file";
      full[3] = pw.toString();
      System.arraycopy(c, 0, full, 4, c.length);
      int rc = Main.run(full, sink, sink);
      if (rc != 0 && !c[c.length - 1].equals("--help")) {
        System.err.println("aot training: '" + String.join(" ", c) + "' exited " + rc);
      }
    }
    try (Stream<Path> s = Files.walk(scratch)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
