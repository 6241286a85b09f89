package io.cairn.server;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refusals that end a backup, made visible: when the server refuses a machine's upload for a full
 * quota ({@code 507}), a scope that does not allow it ({@code 403}) or an object that is not valid
 * ({@code 422}), the machine's row keeps the refusal (its state becomes {@code refused} until a
 * snapshot is stored after it), the provider's dashboard raises an alert, and the server's log
 * and the audit log each get one entry. A backup that is refused goes on trying (and each of its
 * uploads is refused), so one machine's refusal with one code is written at most once a minute.
 */
final class Refusals {
  private static final Logger LOG = LoggerFactory.getLogger(Refusals.class);
  /** The codes of the refusals that end a backup. */
  static final Set<String> CODES = Set.of("quota_exceeded", "forbidden", "invalid_object", "session_expired");
  static final Duration QUIET = Duration.ofMinutes(1);

  private final Database db;
  private final Audit audit;
  private final Clock clock;
  private final Map<String, Instant> lastWritten = new ConcurrentHashMap<>();

  Refusals(Database db, Audit audit, Clock clock) {
    this.db = db;
    this.audit = audit;
    this.clock = clock;
  }

  /** Records a refusal of this agent's request, if it is one that ends a backup. */
  void refused(Principal.Agent agent, String remote, String method, String key, String code, String message) {
    if (!CODES.contains(code)) {
      return;
    }
    Instant now = clock.instant();
    String k = agent.id() + " " + code;
    Instant last = lastWritten.get(k);
    if (last != null && last.plus(QUIET).isAfter(now)) {
      return;
    }
    lastWritten.put(k, now);
    db.jdbi().useHandle(h -> h.createUpdate("UPDATE agents SET last_refusal_at = ?, last_refusal_code = ?, "
        + "last_refusal_message = ? WHERE id = ?").bind(0, now.toString()).bind(1, code).bind(2, message)
        .bind(3, agent.id()).execute());
    LOG.warn("refused {} {} of machine '{}' (#{}, tenant #{}): {}: {}", method, ObjectService.abbreviate(key),
        agent.name(), agent.id(), agent.tenantId(), code, message);
    audit.record(agent, remote, agent.tenantId(), "agent.refused", "machine " + agent.name(),
        Map.of("code", code, "message", message, "request", method + " " + ObjectService.abbreviate(key)));
  }
}
