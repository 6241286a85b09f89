package io.cairn.server;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Usage per tenant per day (UTC): ingress and egress bytes and requests are counted as they
 * happen and added to {@code usage_daily} every few seconds; physical bytes, logical bytes and
 * snapshot counts are levels, written with each flush as they stand. Also the Prometheus view.
 */
public final class Metering {
  private final Database db;
  private final Repositories repos;
  private final Clock clock;
  private final Map<Long, Counters> pending = new ConcurrentHashMap<>();
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<Long, String> tenantSlugs = new ConcurrentHashMap<>();

  /** Deltas not yet written. */
  static final class Counters {
    final LongAdder ingress = new LongAdder();
    final LongAdder egress = new LongAdder();
    final LongAdder requests = new LongAdder();
    final LongAdder snapshots = new LongAdder();
  }

  public Metering(Database db, Repositories repos, Clock clock) {
    this.db = db;
    this.repos = repos;
    this.clock = clock;
  }

  private Counters of(long tenantId) {
    return pending.computeIfAbsent(tenantId, t -> new Counters());
  }

  public void request(long tenantId, long ingressBytes, long egressBytes) {
    Counters c = of(tenantId);
    c.requests.increment();
    c.ingress.add(ingressBytes);
    c.egress.add(egressBytes);
    registry.counter("cairn_requests", tenantTag(tenantId)).increment();
    if (ingressBytes > 0) {
      registry.counter("cairn_ingress_bytes", tenantTag(tenantId)).increment(ingressBytes);
    }
    if (egressBytes > 0) {
      registry.counter("cairn_egress_bytes", tenantTag(tenantId)).increment(egressBytes);
    }
  }

  public void snapshotCreated(long tenantId) {
    of(tenantId).snapshots.increment();
    registry.counter("cairn_snapshots_created", tenantTag(tenantId)).increment();
  }

  private Tags tenantTag(long tenantId) {
    return Tags.of("tenant", tenantSlugs.computeIfAbsent(tenantId, id -> db.jdbi().withHandle(h ->
        h.createQuery("SELECT slug FROM tenants WHERE id = ?").bind(0, id).mapTo(String.class).findOne()
            .orElse(String.valueOf(id)))));
  }

  /** Registers the level gauges of a tenant (idempotent). */
  public void watchTenant(long tenantId) {
    Tags t = tenantTag(tenantId);
    Gauge.builder("cairn_physical_bytes", repos, r -> r.tenantPhysicalBytes(tenantId)).tags(t)
        .description("bytes stored on disk for the tenant, after dedupe, compression and encryption")
        .register(registry);
  }

  /**
   * Writes pending deltas and the current levels of every tenant into today's rows. Everything
   * is read first and the transaction only writes: SQLite cannot turn a transaction that has
   * read into a writer while another connection has written meanwhile, and answers SQLITE_BUSY
   * at once instead of waiting. Deltas taken out of the counters go back if the write fails.
   */
  public synchronized void flush() {
    String day = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC).toString();
    List<Long> tenants = db.jdbi().withHandle(h -> h.createQuery("SELECT id FROM tenants").mapTo(Long.class).list());
    List<Map<String, Object>> levels = db.jdbi().withHandle(h -> {
      List<Map<String, Object>> out = new java.util.ArrayList<>();
      for (long t : tenants) {
        out.add(h.createQuery("SELECT COALESCE(SUM(s.logical_bytes), 0) AS logical, "
            + "COUNT(s.snapshot_id) AS n FROM snapshots s JOIN repositories r ON r.id = s.repository_id "
            + "WHERE r.tenant_id = ?").bind(0, t).mapToMap().one());
      }
      return out;
    });
    long[][] deltas = new long[tenants.size()][4];
    for (int i = 0; i < tenants.size(); i++) {
      Counters c = pending.get(tenants.get(i));
      if (c != null) {
        deltas[i][0] = c.ingress.sumThenReset();
        deltas[i][1] = c.egress.sumThenReset();
        deltas[i][2] = c.requests.sumThenReset();
        deltas[i][3] = c.snapshots.sumThenReset();
      }
    }
    try {
      db.jdbi().useTransaction(h -> {
        for (int i = 0; i < tenants.size(); i++) {
          long t = tenants.get(i);
          long[] d = deltas[i];
          h.createUpdate("INSERT INTO usage_daily (tenant_id, day, ingress_bytes, egress_bytes, requests, "
              + "snapshots_created, physical_bytes, logical_bytes, snapshots) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
              + "ON CONFLICT (tenant_id, day) DO UPDATE SET ingress_bytes = ingress_bytes + excluded.ingress_bytes, "
              + "egress_bytes = egress_bytes + excluded.egress_bytes, requests = requests + excluded.requests, "
              + "snapshots_created = snapshots_created + excluded.snapshots_created, "
              + "physical_bytes = excluded.physical_bytes, logical_bytes = excluded.logical_bytes, "
              + "snapshots = excluded.snapshots")
              .bind(0, t).bind(1, day).bind(2, d[0]).bind(3, d[1]).bind(4, d[2]).bind(5, d[3])
              .bind(6, repos.tenantPhysicalBytes(t)).bind(7, ((Number) levels.get(i).get("logical")).longValue())
              .bind(8, ((Number) levels.get(i).get("n")).longValue()).execute();
        }
        for (RepoHandle r : repos.all()) {
          h.createUpdate("UPDATE repositories SET physical_bytes = ?, objects = ? WHERE id = ?")
              .bind(0, r.physicalBytes()).bind(1, r.objects.get()).bind(2, r.id()).execute();
        }
      });
    } catch (RuntimeException e) {
      for (int i = 0; i < tenants.size(); i++) {
        long[] d = deltas[i];
        if (d[0] != 0 || d[1] != 0 || d[2] != 0 || d[3] != 0) {
          Counters c = pending.computeIfAbsent(tenants.get(i), k -> new Counters());
          c.ingress.add(d[0]);
          c.egress.add(d[1]);
          c.requests.add(d[2]);
          c.snapshots.add(d[3]);
        }
      }
      throw e;
    }
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    return registry.scrape();
  }
}
