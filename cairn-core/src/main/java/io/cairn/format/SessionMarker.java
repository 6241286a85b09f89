package io.cairn.format;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * Announces a live write session (docs/format.md, "Session markers"); prune does not delete
 * condemned data while a session that started before the condemnation may still use it.
 */
public record SessionMarker(Instant started, String host, long pid) {
  public static final String MAGIC = "CRSE";
  public static final int VERSION = 1;

  public byte[] encode() {
    ObjectNode o = Json.object();
    o.put("started", started.toString()).put("host", host).put("pid", pid);
    return Frame.ofJson(MAGIC, VERSION, o);
  }

  public static SessionMarker decode(byte[] data, String r) {
    ObjectNode o = Frame.openJson(data, MAGIC, 1, VERSION, r);
    return new SessionMarker(Json.instant(o, "started", r), Json.text(o, "host", r),
        Json.integer(o, "pid", 0, Long.MAX_VALUE, r));
  }
}
