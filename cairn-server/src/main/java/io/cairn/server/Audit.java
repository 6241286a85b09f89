package io.cairn.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.util.Map;

/**
 * The append-only record of administrative actions: who, what, when, from where. The table
 * refuses UPDATE and DELETE by trigger; the API has no call that changes it.
 */
public final class Audit {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Database db;
  private final Clock clock;

  public Audit(Database db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  public void record(Principal who, String remoteAddr, Long tenantId, String action, String target,
      Map<String, ?> detail) {
    long actorId = switch (who) {
      case Principal.User u -> u.id();
      case Principal.Agent a -> a.id();
      default -> 0;
    };
    String kind = switch (who) {
      case Principal.User u -> "user";
      case Principal.Agent a -> "agent";
      case Principal.MetricsScraper m -> "metrics";
      case Principal.Anonymous a -> "anonymous";
    };
    String name = switch (who) {
      case Principal.User u -> u.username();
      case Principal.Agent a -> a.name();
      default -> kind;
    };
    insert(kind, actorId == 0 ? null : actorId, name, remoteAddr, tenantId, action, target, detail);
  }

  /** The server itself: scheduled jobs, start-up. */
  public void system(Long tenantId, String action, String target, Map<String, ?> detail) {
    insert("system", null, "cairn server", "", tenantId, action, target, detail);
  }

  private void insert(String kind, Long actorId, String name, String remoteAddr, Long tenantId, String action,
      String target, Map<String, ?> detail) {
    String d;
    try {
      d = JSON.writeValueAsString(detail);
    } catch (Exception e) {
      d = "{}";
    }
    String detailJson = d;
    db.jdbi().useHandle(h -> h.createUpdate("INSERT INTO audit_log (at, actor_kind, actor_id, actor_name, "
        + "tenant_id, action, target, detail, remote_addr) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(0, clock.instant().toString()).bind(1, kind).bind(2, actorId).bind(3, name).bind(4, tenantId)
        .bind(5, action).bind(6, target).bind(7, detailJson).bind(8, remoteAddr == null ? "" : remoteAddr)
        .execute());
  }
}
