package io.cairn.agent.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cairn.format.CairnException;
import io.cairn.format.Frame;
import io.cairn.format.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the agent remembers between runs, per job (docs/format.md, "Agent state file"): when it
 * was last due and ran, how that ended, and when it runs next. A {@code CRAS} frame with a JSON
 * body in {@code STATE_DIR/state}, replaced whole (written beside, then renamed) after every
 * change, so a crash leaves the old state or the new one.
 */
public final class AgentState {
  public static final String MAGIC = "CRAS";
  public static final int VERSION = 1;

  /**
   * One job's record. {@code result} is {@code ok}, {@code partial} (some entries could not be
   * read), {@code failed}, or {@code skipped} (the run before was still going), null before the
   * first run.
   */
  public record JobState(Instant lastDue, Instant lastStart, Instant lastEnd, String result, String message,
      String snapshot, long files, long newFiles, long changedFiles, long newBytes, long durationMillis,
      int failuresInARow, Instant lastSuccess, Instant nextRun) {
    static final JobState NEW = new JobState(null, null, null, null, null, null, 0, 0, 0, 0, 0, 0, null, null);

    JobState withNextRun(Instant t) {
      return new JobState(lastDue, lastStart, lastEnd, result, message, snapshot, files, newFiles, changedFiles,
          newBytes, durationMillis, failuresInARow, lastSuccess, t);
    }
  }

  private final Path file;
  private final Map<String, JobState> jobs = new LinkedHashMap<>();

  private AgentState(Path file) {
    this.file = file;
  }

  /** The state in {@code dir}; empty when there is none yet. A damaged file is an error that says what to do. */
  public static AgentState load(Path dir) {
    AgentState s = new AgentState(dir.resolve("state"));
    if (!Files.exists(s.file)) {
      return s;
    }
    try {
      byte[] data = Files.readAllBytes(s.file);
      ObjectNode o = Frame.openJson(data, MAGIC, 1, VERSION, s.file.toString());
      for (Map.Entry<String, JsonNode> e : o.path("jobs").properties()) {
        JsonNode j = e.getValue();
        s.jobs.put(e.getKey(), new JobState(instant(j, "lastDue"), instant(j, "lastStart"), instant(j, "lastEnd"),
            text(j, "result"), text(j, "message"), text(j, "snapshot"), j.path("files").asLong(),
            j.path("newFiles").asLong(), j.path("changedFiles").asLong(), j.path("newBytes").asLong(),
            j.path("durationMillis").asLong(), j.path("failuresInARow").asInt(), instant(j, "lastSuccess"),
            instant(j, "nextRun")));
      }
      return s;
    } catch (IOException | CairnException | java.time.DateTimeException e) {
      throw new IllegalArgumentException("the agent's state file " + s.file + " cannot be read (" + e.getMessage()
          + "); remove it to start afresh: every job then runs at once", e);
    }
  }

  public synchronized JobState job(String name) {
    return jobs.getOrDefault(name, JobState.NEW);
  }

  public synchronized Map<String, JobState> jobs() {
    return new LinkedHashMap<>(jobs);
  }

  synchronized void put(String name, JobState s) {
    jobs.put(name, s);
    save();
  }

  private void save() {
    ObjectNode o = Json.object();
    ObjectNode js = o.putObject("jobs");
    jobs.forEach((name, s) -> {
      ObjectNode j = js.putObject(name);
      put(j, "lastDue", s.lastDue());
      put(j, "lastStart", s.lastStart());
      put(j, "lastEnd", s.lastEnd());
      j.put("result", s.result()).put("message", s.message()).put("snapshot", s.snapshot()).put("files", s.files())
          .put("newFiles", s.newFiles()).put("changedFiles", s.changedFiles()).put("newBytes", s.newBytes())
          .put("durationMillis", s.durationMillis()).put("failuresInARow", s.failuresInARow());
      put(j, "lastSuccess", s.lastSuccess());
      put(j, "nextRun", s.nextRun());
    });
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling("state.tmp");
      Files.write(tmp, Frame.ofJson(MAGIC, VERSION, o));
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new CairnException("cannot write the agent's state to " + file + ": " + io.cairn.text.IoErrors.reason(e), e);
    }
  }

  private static void put(ObjectNode j, String field, Instant t) {
    j.put(field, t == null ? null : t.toString());
  }

  private static Instant instant(JsonNode j, String field) {
    JsonNode v = j.get(field);
    return v == null || v.isNull() ? null : Instant.parse(v.asText());
  }

  private static String text(JsonNode j, String field) {
    JsonNode v = j.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }
}
