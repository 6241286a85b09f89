package io.cairn.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The part of a snapshot anyone holding the repository can read: what retention, metering and
 * GC need, and nothing about file names or contents.
 *
 * @param pathsTag keyed hash of the backed-up paths, so snapshots can be grouped by paths
 *     without revealing them
 * @param lockedUntil the snapshot and everything it references may not be removed before this
 *     instant (null: no lock)
 * @param partial some entries could not be read and were left out
 */
public record SnapshotEnvelope(
    Instant time,
    String host,
    List<String> tags,
    Id parent,
    String pathsTag,
    Instant lockedUntil,
    boolean partial,
    String program,
    SnapshotSummary summary) {

  public SnapshotEnvelope {
    tags = List.copyOf(tags);
  }

  public byte[] toJsonBytes() {
    ObjectNode o = Json.object();
    o.put("time", time.toString());
    o.put("host", host);
    ArrayNode t = o.putArray("tags");
    tags.forEach(t::add);
    o.put("parent", parent == null ? null : parent.hex());
    o.put("pathsTag", pathsTag);
    o.put("lockedUntil", lockedUntil == null ? null : lockedUntil.toString());
    o.put("partial", partial);
    o.put("program", program);
    o.set("summary", summary.toJson());
    return Json.bytes(o);
  }

  public static SnapshotEnvelope fromJsonBytes(byte[] data, String r) {
    ObjectNode o = Json.parseObject(data, r);
    List<String> tags = new ArrayList<>();
    JsonNode t = o.get("tags");
    if (t == null || !t.isArray()) {
      throw new CorruptObjectException(r, "tags missing");
    }
    for (JsonNode n : t) {
      if (!n.isTextual()) {
        throw new CorruptObjectException(r, "tag is not a string");
      }
      tags.add(n.asText());
    }
    JsonNode partial = o.get("partial");
    if (partial == null || !partial.isBoolean()) {
      throw new CorruptObjectException(r, "partial missing");
    }
    return new SnapshotEnvelope(Json.instant(o, "time", r), Json.text(o, "host", r), tags,
        Json.optId(o, "parent", r), Json.text(o, "pathsTag", r), Json.optInstant(o, "lockedUntil", r),
        partial.asBoolean(), Json.text(o, "program", r), SnapshotSummary.fromJson(o.get("summary"), r));
  }
}
