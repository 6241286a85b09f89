package io.cairn.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cairn.format.Id;
import io.cairn.maintenance.CheckReport;
import io.cairn.maintenance.Checker;
import io.cairn.maintenance.Pruner;
import io.cairn.maintenance.RepositoryLock;
import io.cairn.maintenance.RetentionPlanner;
import io.cairn.maintenance.RetentionPolicy;
import io.cairn.maintenance.SnapshotEnvelopes;
import io.cairn.store.StoreKeys;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keyless jobs the server runs on tenants' repositories: retention (forget by policy, never
 * inside an immutability window or before a snapshot's own lock), garbage collection (the
 * repository engine's condemn → fence → sweep, safe while agents back up) and scrub (every
 * pack's ciphertext checksum, reporting bit rot). One job at a time per repository.
 */
public final class Maintenance {
  private static final Logger LOG = LoggerFactory.getLogger(Maintenance.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  public static final List<String> KINDS = List.of("retention", "gc", "scrub");
  /** A host name no agent can have (it contains a space and parentheses). */
  static final String SERVER_HOST = "(cairn vault server)";

  private final Database db;
  private final Repositories repos;
  private final Audit audit;
  private final ObjectLocks locks;
  private final ServerConfig config;
  private final Clock clock;
  /** Two workers: a long scrub of one repository does not hold up another's GC. */
  private final ExecutorService workers = Executors.newFixedThreadPool(2, r -> {
    Thread t = new Thread(r, "cairn-maintenance");
    t.setDaemon(true);
    return t;
  });
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "cairn-schedule");
    t.setDaemon(true);
    return t;
  });

  Maintenance(Database db, Repositories repos, Audit audit, ObjectLocks locks, ServerConfig config, Clock clock) {
    this.db = db;
    this.repos = repos;
    this.audit = audit;
    this.locks = locks;
    this.config = config;
    this.clock = clock;
  }

  /** Marks jobs that were running when the server last stopped, and starts the schedules. */
  public void start() {
    db.jdbi().useHandle(h -> h.createUpdate("UPDATE jobs SET status = 'interrupted', finished_at = ?, error = "
        + "'the server stopped before the job finished; it is safe to run it again' WHERE status IN ('queued', "
        + "'running')").bind(0, clock.instant().toString()).execute());
    schedule("retention", config.retentionInterval());
    schedule("gc", config.gcInterval());
    schedule("scrub", config.scrubInterval());
  }

  /**
   * Every minute, queues each kind of job for each repository whose last run of that kind started
   * longer ago than the kind's interval (or never ran): a server restarted often still keeps its
   * schedule, and a restarted server catches up at once.
   */
  private void schedule(String kind, Duration every) {
    if (every.isZero()) {
      return;
    }
    timer.scheduleWithFixedDelay(() -> {
      for (RepoHandle h : repos.all()) {
        try {
          String last = db.jdbi().withHandle(hd -> hd.createQuery("SELECT MAX(started_at) FROM jobs WHERE "
              + "repository_id = ? AND kind = ?").bind(0, h.id()).bind(1, kind).mapTo(String.class).one());
          boolean busy = db.jdbi().withHandle(hd -> hd.createQuery("SELECT COUNT(*) FROM jobs WHERE repository_id = ? "
              + "AND kind = ? AND status IN ('queued', 'running')").bind(0, h.id()).bind(1, kind)
              .mapTo(Integer.class).one()) > 0;
          if (!busy && (last == null || Instant.parse(last).plus(every).isBefore(clock.instant()))) {
            submit(h, kind, "schedule");
          }
        } catch (RuntimeException e) {
          LOG.warn("could not start scheduled {} of {}: {}", kind, h.label(), e.toString());
        }
      }
    }, 10, 60, TimeUnit.SECONDS);
  }

  /** Queues a job; returns its id. */
  public long submit(RepoHandle h, String kind, String trigger) {
    return queue(h, kind, trigger).id();
  }

  /** Queues a job and waits until a worker has run it; returns its row. */
  public Map<String, Object> runNow(RepoHandle h, String kind) throws Exception {
    Queued q = queue(h, kind, "manual");
    q.done().get();
    return job(q.id());
  }

  private record Queued(long id, Future<?> done) {}

  private Queued queue(RepoHandle h, String kind, String trigger) {
    if (!KINDS.contains(kind)) {
      throw ApiException.badRequest("job kind must be one of " + KINDS + ", not '" + kind + "'");
    }
    long id = db.jdbi().withHandle(hd -> hd.createUpdate("INSERT INTO jobs (repository_id, kind, trigger, status, "
        + "queued_at) VALUES (?, ?, ?, 'queued', ?)").bind(0, h.id()).bind(1, kind).bind(2, trigger)
        .bind(3, clock.instant().toString()).executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
    return new Queued(id, workers.submit(() -> run(id, h, kind)));
  }

  public Map<String, Object> job(long id) {
    return db.jdbi().withHandle(hd -> hd.createQuery(SELECT + "WHERE j.id = ?").bind(0, id).mapToMap().one());
  }

  private static final String SELECT = "SELECT j.id, t.slug AS tenant, r.name AS repository, j.kind, j.trigger, "
      + "j.status, j.queued_at AS queuedAt, j.started_at AS startedAt, j.finished_at AS finishedAt, j.summary, j.error FROM jobs j "
      + "JOIN repositories r ON r.id = j.repository_id JOIN tenants t ON t.id = r.tenant_id ";

  /** Recent jobs, newest first: all (tenantId null) or one tenant's. */
  public List<Map<String, Object>> jobs(Long tenantId, int limit) {
    return db.jdbi().withHandle(hd -> hd.createQuery(SELECT + "WHERE (? IS NULL OR r.tenant_id = ?) "
        + "ORDER BY j.id DESC LIMIT ?").bind(0, tenantId).bind(1, tenantId).bind(2, limit).mapToMap().list());
  }

  private void run(long jobId, RepoHandle h, String kind) {
    String status;
    ObjectNode summary = JSON.createObjectNode();
    String error = null;
    h.maintenance.lock();
    db.jdbi().useHandle(hd -> hd.createUpdate("UPDATE jobs SET status = 'running', started_at = ? WHERE id = ?")
        .bind(0, clock.instant().toString()).bind(1, jobId).execute());
    try {
      if (h.store().size(StoreKeys.CONFIG).isEmpty()) {
        summary.put("skipped", "the repository has not been initialised yet");
        status = "ok";
      } else {
        status = switch (kind) {
          case "retention" -> retention(h, summary);
          case "gc" -> gc(h, summary);
          default -> scrub(h, summary);
        };
      }
    } catch (RepositoryLock.HeldException e) {
      // Not a fault: an operator's prune or repair is running; the next scheduled run comes.
      LOG.warn("{} of {} did not run: {}", kind, h.label(), e.getMessage());
      status = "failed";
      error = e.getMessage();
    } catch (Exception | OutOfMemoryError e) {
      LOG.warn("{} of {} failed", kind, h.label(), e);
      status = "failed";
      error = e.getMessage() == null ? e.toString() : e.getMessage();
    } finally {
      h.maintenance.unlock();
    }
    String s = status;
    String err = error;
    db.jdbi().useHandle(hd -> hd.createUpdate("UPDATE jobs SET status = ?, finished_at = ?, summary = ?, error = ? "
        + "WHERE id = ?").bind(0, s).bind(1, clock.instant().toString()).bind(2, summary.toString()).bind(3, err)
        .bind(4, jobId).execute());
    if (!s.equals("ok")) {
      audit.system(h.tenantId(), "job." + kind + "." + s, h.label(), Map.of("job", jobId,
          "error", err == null ? "" : err, "summary", summary.toString()));
    }
  }

  private String retention(RepoHandle h, ObjectNode summary) throws Exception {
    Map<String, Object> r = db.jdbi().withHandle(hd -> hd.createQuery("SELECT retention, immutability_days AS days "
        + "FROM repositories WHERE id = ?").bind(0, h.id()).mapToMap().one());
    String policyJson = (String) r.get("retention");
    int immutableDays = ((Number) r.get("days")).intValue();
    // First what must stay, in the object store too where it can lock objects.
    ObjectLocks.Result locked = locks.protect(h, immutableDays);
    if (locked.supported() && locked.lockedSnapshots() > 0) {
      summary.putObject("objectLock").put("lockedSnapshots", locked.lockedSnapshots())
          .put("objects", locked.objects()).put("extended", locked.extended());
    }
    if (policyJson == null || policyJson.isBlank()) {
      summary.put("skipped", "no retention policy is set for this repository");
      return "ok";
    }
    RetentionPolicy policy = parsePolicy(JSON.readTree(policyJson));
    List<String> problems = new ArrayList<>();
    var candidates = SnapshotEnvelopes.list(h.store(), e -> problems.add(e.getMessage()));
    Instant now = clock.instant();
    int forgotten = 0;
    int protectedByWindow = 0;
    for (RetentionPlanner.Decision d : new RetentionPlanner(ZoneOffset.UTC).plan(candidates, policy, now)) {
      if (d.keep()) {
        continue;
      }
      if (ObjectLocks.until(d.snapshot().envelope(), immutableDays).isAfter(now)) {
        protectedByWindow++;
        continue;
      }
      Id id = d.snapshot().id();
      if (h.store().delete(StoreKeys.snapshot(id))) {
        repos.forgetSnapshotRow(h, id.hex());
        forgotten++;
      }
    }
    summary.put("snapshots", candidates.size()).put("forgotten", forgotten)
        .put("keptByImmutability", protectedByWindow);
    problems.forEach(summary.withArray("problems")::add);
    return problems.isEmpty() ? "ok" : "problems";
  }

  /** A policy as JSON: {"keepLast": 7, "keepDaily": 14, "keepWithin": "48h", "keepTags": ["x"]}. */
  public static RetentionPolicy parsePolicy(JsonNode n) {
    if (n == null || !n.isObject()) {
      throw ApiException.badRequest("retention must be a JSON object such as {\"keepDaily\": 7}");
    }
    Set<String> allowed = Set.of("keepLast", "keepHourly", "keepDaily", "keepWeekly", "keepMonthly", "keepYearly",
        "keepWithin", "keepTags");
    Set<String> seen = new HashSet<>();
    n.fieldNames().forEachRemaining(seen::add);
    seen.removeAll(allowed);
    if (!seen.isEmpty()) {
      throw ApiException.badRequest("unknown retention rule(s) " + seen + "; allowed: " + allowed);
    }
    Set<String> tags = new HashSet<>();
    n.path("keepTags").forEach(t -> tags.add(t.asText()));
    // The same syntax as cairn forget --keep-within: 30d, 1y6m, 36h (m is months).
    Duration within = n.hasNonNull("keepWithin") ? RetentionPolicy.parseWithin(n.get("keepWithin").asText()) : null;
    try {
      RetentionPolicy p = new RetentionPolicy(n.path("keepLast").asInt(0), n.path("keepHourly").asInt(0),
          n.path("keepDaily").asInt(0), n.path("keepWeekly").asInt(0), n.path("keepMonthly").asInt(0),
          n.path("keepYearly").asInt(0), within, tags);
      if (p.isEmpty()) {
        throw ApiException.badRequest("a retention policy needs at least one rule; an empty one would remove "
            + "everything");
      }
      return p;
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage());
    }
  }

  private String gc(RepoHandle h, ObjectNode summary) {
    expireIdleSessions(h, summary);
    Pruner.Options o = new Pruner.Options(config.gcGrace(), Pruner.Options.DEFAULT.repackThreshold(),
        Pruner.Options.DEFAULT.sessionMaxAge(), config.gcFenceMargin());
    // No agent's session marker may be taken for one of this process's: agents run elsewhere, and
    // a marker is only ever treated as dead by age (sessions.max-age), never by a local process check.
    Pruner p = new Pruner(h.store(), clock, o, SERVER_HOST);
    Pruner.Plan plan;
    Pruner.Result r;
    // The lock names this machine: a prune or repair an operator runs on the same repository
    // (from the CLI, or another node) waits for this one, and this one for it.
    try (RepositoryLock lock = RepositoryLock.acquire(h.store(), "garbage collection",
        io.cairn.repository.RepositoryOptions.localHost(), clock)) {
      plan = p.plan();
      r = p.execute(plan);
    }
    summary.put("snapshots", plan.snapshots()).put("condemnedBlobs", plan.condemn().size())
        .put("packsDeleted", r.packsDeleted()).put("packsWritten", r.packsWritten())
        .put("blobsRemoved", r.blobsRemoved()).put("bytesFreed", r.bytesFreed())
        .put("scratchFilesRemoved", r.scratchRemoved());
    plan.notes().forEach(summary.withArray("notes")::add);
    repos.syncSnapshots(h);
    return "ok";
  }

  /**
   * Ends the write sessions whose agent has made no request for {@code jobs.gc.session-idle}: a
   * killed agent's marker would otherwise hold collection back for the markers' 48-hour age limit.
   * The agent is first marked as having an ended session (refusing its further writes until it
   * starts a new one), in the same statement that checks it is still idle, and only then is its
   * marker removed. A request of the agent's updates its last-seen time before any write of it is
   * admitted, so a write is either refused or made by an agent that was not idle.
   */
  private void expireIdleSessions(RepoHandle h, ObjectNode summary) {
    Instant now = clock.instant();
    String cutoff = now.minus(config.gcSessionIdle()).toString();
    List<Map<String, Object>> idle = db.jdbi().withHandle(hd -> hd.createQuery("SELECT o.object_key AS objectKey, "
        + "o.agent_id AS agentId, a.name, a.last_seen_at AS lastSeenAt FROM session_owners o JOIN agents a ON a.id = "
        + "o.agent_id WHERE o.repository_id = ? AND (a.last_seen_at IS NULL OR a.last_seen_at < ?)")
        .bind(0, h.id()).bind(1, cutoff).mapToMap().list());
    for (Map<String, Object> s : idle) {
      String key = (String) s.get("objectKey");
      long agent = ((Number) s.get("agentId")).longValue();
      boolean ended = db.jdbi().inTransaction(hd -> {
        int n = hd.createUpdate("INSERT OR IGNORE INTO expired_sessions (repository_id, agent_id, object_key, "
            + "expired_at) SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM agents WHERE id = ? AND (last_seen_at IS NULL "
            + "OR last_seen_at < ?))").bind(0, h.id()).bind(1, agent).bind(2, key).bind(3, now.toString())
            .bind(4, agent).bind(5, cutoff).execute();
        if (n > 0) {
          hd.createUpdate("DELETE FROM session_owners WHERE repository_id = ? AND object_key = ?").bind(0, h.id())
              .bind(1, key).execute();
        }
        return n > 0;
      });
      if (!ended) {
        continue;
      }
      h.store().delete(key);
      LOG.info("{}: ended the write session {} of machine '{}', idle since {}", h.label(), key, s.get("name"),
          s.get("lastSeenAt"));
      audit.system(h.tenantId(), "session.expire", "machine " + s.get("name"), Map.of("repository", h.label(),
          "session", key, "lastSeenAt", String.valueOf(s.get("lastSeenAt"))));
      summary.withArray("expiredSessions").add(key);
    }
  }

  private String scrub(RepoHandle h, ObjectNode summary) {
    CheckReport r = new Checker(h.store(), null).run(config.scrubReadPercent(), clock.millis());
    summary.put("packs", r.packs()).put("blobs", r.blobs()).put("indexSegments", r.indexSegments())
        .put("snapshots", r.snapshots()).put("readPercent", config.scrubReadPercent());
    r.errors().forEach(summary.withArray("errors")::add);
    r.notices().forEach(summary.withArray("notices")::add);
    return r.clean() ? "ok" : "problems";
  }

  public void stop() {
    timer.shutdownNow();
    workers.shutdownNow();
    try {
      workers.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
