package io.cairn.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/** The encrypted part of a snapshot: what was backed up and the root tree. */
public record SnapshotContent(List<String> paths, Id tree, String username, List<String> excludes) {

  public SnapshotContent {
    paths = List.copyOf(paths);
    excludes = List.copyOf(excludes);
  }

  public byte[] toJsonBytes() {
    ObjectNode o = Json.object();
    ArrayNode p = o.putArray("paths");
    paths.forEach(p::add);
    o.put("tree", tree.hex());
    o.put("username", username);
    ArrayNode e = o.putArray("excludes");
    excludes.forEach(e::add);
    return Json.bytes(o);
  }

  public static SnapshotContent fromJsonBytes(byte[] data, String r) {
    ObjectNode o = Json.parseObject(data, r);
    return new SnapshotContent(strings(o, "paths", r), Json.id(o, "tree", r), Json.text(o, "username", r),
        strings(o, "excludes", r));
  }

  private static List<String> strings(JsonNode o, String field, String r) {
    JsonNode a = o.get(field);
    if (a == null || !a.isArray()) {
      throw new CorruptObjectException(r, field + " missing");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode n : a) {
      if (!n.isTextual()) {
        throw new CorruptObjectException(r, field + " holds a non-string");
      }
      out.add(n.asText());
    }
    return out;
  }
}
