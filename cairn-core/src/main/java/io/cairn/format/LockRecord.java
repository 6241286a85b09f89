package io.cairn.format;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * Says that a prune or repair is changing a repository (docs/format.md, "Locks"), so that a
 * second one is refused instead of rewriting the same index segments at the same time.
 *
 * @param operation what holds the lock, in words ("prune", "repair packs")
 * @param started when the operation took the lock
 * @param written when this object was written: the holder writes a fresh one while it runs
 */
public record LockRecord(String operation, String host, long pid, Instant started, Instant written) {
  public static final String MAGIC = "CRLK";
  public static final int VERSION = 1;

  public byte[] encode() {
    ObjectNode o = Json.object();
    o.put("operation", operation).put("host", host).put("pid", pid).put("started", started.toString())
        .put("written", written.toString());
    return Frame.ofJson(MAGIC, VERSION, o);
  }

  public static LockRecord decode(byte[] data, String r) {
    ObjectNode o = Frame.openJson(data, MAGIC, 1, VERSION, r);
    return new LockRecord(Json.text(o, "operation", r), Json.text(o, "host", r),
        Json.integer(o, "pid", 0, Long.MAX_VALUE, r), Json.instant(o, "started", r), Json.instant(o, "written", r));
  }
}
