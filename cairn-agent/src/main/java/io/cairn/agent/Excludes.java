package io.cairn.agent;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * Exclude patterns, as restic users know them: a glob without '/' matches a file name anywhere
 * ({@code *.tmp}, {@code node_modules}); a glob with '/' matches the absolute path
 * ({@code /home/*}{@code /.cache}); a pattern ending in '/' matches only the path itself and
 * everything below it is skipped with it.
 */
public final class Excludes {
  private final List<PathMatcher> byName = new ArrayList<>();
  private final List<PathMatcher> byPath = new ArrayList<>();

  public Excludes(List<String> patterns) {
    for (String raw : patterns) {
      String p = raw.strip();
      if (p.isEmpty() || p.startsWith("#")) {
        continue;
      }
      if (p.length() > 1 && p.endsWith("/")) {
        p = p.substring(0, p.length() - 1);
      }
      try {
        PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + p);
        (p.contains("/") ? byPath : byName).add(m);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("bad exclude pattern '" + raw + "': " + e.getMessage(), e);
      }
    }
  }

  /** Reads patterns from files, one per line; blank lines and lines starting with '#' are ignored. */
  public static List<String> readFiles(List<Path> files) throws IOException {
    List<String> out = new ArrayList<>();
    for (Path f : files) {
      for (String line : Files.readAllLines(f)) {
        String l = line.strip();
        if (!l.isEmpty() && !l.startsWith("#")) {
          out.add(l);
        }
      }
    }
    return out;
  }

  public boolean matches(Path absolute) {
    Path name = absolute.getFileName();
    if (name != null) {
      for (PathMatcher m : byName) {
        if (m.matches(name)) {
          return true;
        }
      }
    }
    for (PathMatcher m : byPath) {
      if (m.matches(absolute)) {
        return true;
      }
    }
    return false;
  }
}
