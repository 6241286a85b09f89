package io.cairn.agent.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.cairn.text.Units;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The resident agent's configuration: one YAML file (docs/agent.md) naming the repository, the
 * password file and the jobs, each with what to back up and when. Everything is checked when the
 * file is read, with errors that name the setting; unknown settings are errors, not ignored, so
 * that a misspelt {@code exclude} does not silently back up what it should skip.
 *
 * @param repository where jobs back up unless they name another: a directory, {@code s3:…} or a
 *     server URL, as {@code cairn -r} takes it
 * @param passwordFile the file whose first line is the repository password
 * @param host the name snapshots record (default: this machine's)
 * @param stateDir where the agent keeps its state (last runs, next runs)
 * @param cacheDir the repository cache (default: as the CLI's)
 * @param retry how long the first retry after a failed run waits; it doubles up to the period
 */
public record AgentConfig(String repository, Path passwordFile, String host, Path stateDir, Path cacheDir,
    Duration retry, List<Job> jobs) {

  /** One backup job. */
  public record Job(String name, String repository, List<String> paths, List<String> exclude,
      boolean oneFileSystem, List<String> tags, Schedule schedule) {}

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
  private static final Set<String> TOP = Set.of("repository", "password-file", "host", "state-dir", "cache-dir",
      "retry", "jobs");
  private static final Set<String> JOB = Set.of("name", "repository", "paths", "exclude", "one-file-system", "tags",
      "every", "at", "jitter");

  public static AgentConfig read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the agent configuration " + file + ": "
          + io.cairn.text.IoErrors.reason(e), e);
    }
    return parse(text, file.toString(), file.toAbsolutePath().getParent());
  }

  /** Parses the configuration; relative paths are taken from {@code base}. */
  public static AgentConfig parse(String yaml, String source, Path base) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(source + " is not valid YAML: " + e.getOriginalMessage()
          + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ")" : ""), e);
    } catch (IOException e) {
      throw new IllegalArgumentException(source + " cannot be read: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(source + " must be a mapping with 'repository', 'password-file' and 'jobs'");
    }
    String where = source;
    known(root, TOP, where);
    String repository = location(base, text(root, "repository", where, false));
    Path password = path(base, text(root, "password-file", where, true));
    String host = text(root, "host", where, false);
    String state = text(root, "state-dir", where, false);
    String cache = text(root, "cache-dir", where, false);
    String retry = text(root, "retry", where, false);
    JsonNode jobs = root.get("jobs");
    if (jobs == null || !jobs.isArray() || jobs.isEmpty()) {
      throw new IllegalArgumentException(where + ": 'jobs' must list at least one job");
    }
    List<Job> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < jobs.size(); i++) {
      JsonNode j = jobs.get(i);
      String at = where + ", job " + (i + 1);
      if (!j.isObject()) {
        throw new IllegalArgumentException(at + ": a job is a mapping with 'name', 'paths' and 'every' or 'at'");
      }
      String name = text(j, "name", at, true);
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(at + ": name '" + name + "' must be lowercase letters, digits, '-' and '_'");
      }
      if (!names.add(name)) {
        throw new IllegalArgumentException(at + ": a second job is named '" + name + "'");
      }
      at = where + ", job '" + name + "'";
      known(j, JOB, at);
      String repo = location(base, text(j, "repository", at, false));
      if (repo == null && repository == null) {
        throw new IllegalArgumentException(at + ": no repository: set 'repository' at the top or in the job");
      }
      List<String> paths = list(j, "paths", at);
      if (paths.isEmpty()) {
        throw new IllegalArgumentException(at + ": 'paths' must name at least one path to back up");
      }
      Schedule schedule;
      try {
        schedule = Schedule.parse(text(j, "every", at, false), text(j, "at", at, false), text(j, "jitter", at, false));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(at + ": " + e.getMessage(), e);
      }
      JsonNode ofs = j.get("one-file-system");
      if (ofs != null && !ofs.isBoolean()) {
        throw new IllegalArgumentException(at + ": 'one-file-system' is true or false");
      }
      out.add(new Job(name, repo == null ? repository : repo, paths.stream().map(p -> path(base, p).toString()).toList(),
          list(j, "exclude", at), ofs != null && ofs.asBoolean(), list(j, "tags", at), schedule));
    }
    return new AgentConfig(repository, password, host,
        state == null ? defaultStateDir() : path(base, state), cache == null ? null : path(base, cache),
        retry == null ? Duration.ofMinutes(1) : Units.parseDuration(retry, where + ": retry"), List.copyOf(out));
  }

  /** {@code $XDG_STATE_HOME/cairn/agent}, or {@code ~/.local/state/cairn/agent}. */
  static Path defaultStateDir() {
    String xdg = System.getenv("XDG_STATE_HOME");
    return (xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".local", "state"))
        .resolve("cairn").resolve("agent");
  }

  private static void known(JsonNode n, Set<String> allowed, String where) {
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!allowed.contains(f)) {
        throw new IllegalArgumentException(where + ": unknown setting '" + f + "'; the settings here are "
            + allowed.stream().sorted().toList());
      }
    }
  }

  private static String text(JsonNode n, String field, String where, boolean required) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        throw new IllegalArgumentException(where + ": '" + field + "' is missing");
      }
      return null;
    }
    if (!v.isValueNode() || v.asText().isBlank()) {
      throw new IllegalArgumentException(where + ": '" + field + "' must be a non-empty value");
    }
    return v.asText();
  }

  private static List<String> list(JsonNode n, String field, String where) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    if (v.isValueNode()) {
      out.add(v.asText());
    } else if (v.isArray()) {
      for (JsonNode e : v) {
        if (!e.isValueNode() || e.asText().isBlank()) {
          throw new IllegalArgumentException(where + ": every entry of '" + field + "' must be a non-empty value");
        }
        out.add(e.asText());
      }
    } else {
      throw new IllegalArgumentException(where + ": '" + field + "' must be a list");
    }
    return List.copyOf(out);
  }

  /** A repository location; a relative directory is taken from {@code base}, as paths are. */
  private static String location(Path base, String l) {
    if (l == null || l.contains(":")) {
      return l;
    }
    return path(base, l).toString();
  }

  private static Path path(Path base, String p) {
    Path q = Path.of(p);
    return (q.isAbsolute() || base == null ? q : base.resolve(q)).normalize();
  }
}
