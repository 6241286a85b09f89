package io.cairn.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.cairn.text.Units;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the provider runs the business with: plans (templates of quota, prices, retention and
 * immutability), the cost of a tenant's month, the machines' backup state, and the dashboard
 * (capacity against quota sold, today's traffic, alerts). Money is exact decimal arithmetic.
 */
public final class Business {
  static final BigDecimal GB = BigDecimal.valueOf(1_000_000_000L);
  private final Database db;
  private final Repositories repos;
  private final Metering metering;
  private final Path dataDir;
  private final Clock clock;

  public Business(Database db, Repositories repos, Metering metering, Path dataDir, Clock clock) {
    this.db = db;
    this.repos = repos;
    this.metering = metering;
    this.dataDir = dataDir;
    this.clock = clock;
  }

  // ---- plans ----

  private static final String PLAN_COLUMNS = "id, name, soft_quota_bytes AS softQuotaBytes, hard_quota_bytes AS "
      + "hardQuotaBytes, price_per_gb_month AS pricePerGbMonth, price_per_gb_egress AS pricePerGbEgress, currency, "
      + "retention, immutability_days AS immutabilityDays, created_at AS createdAt";

  public List<Map<String, Object>> plans() {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT " + PLAN_COLUMNS + " FROM plans ORDER BY name")
        .mapToMap().list()).stream().map(Business::planView).toList();
  }

  public Map<String, Object> plan(long id) {
    return planView(db.jdbi().withHandle(h -> h.createQuery("SELECT " + PLAN_COLUMNS + " FROM plans WHERE id = ?")
        .bind(0, id).mapToMap().findOne()).orElseThrow(() -> ApiException.notFound("plan #" + id)));
  }

  private static Map<String, Object> planView(Map<String, Object> row) {
    Map<String, Object> m = new LinkedHashMap<>(row);
    m.put("pricePerGbMonth", new BigDecimal((String) row.get("pricePerGbMonth")));
    m.put("pricePerGbEgress", new BigDecimal((String) row.get("pricePerGbEgress")));
    try {
      m.put("retention", row.get("retention") == null ? null : Api.JSON.readTree((String) row.get("retention")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return m;
  }

  /** Creates (id null) or updates a plan from a JSON body; returns its id. */
  public long savePlan(Long id, JsonNode b) {
    Map<String, Object> current = id == null ? Map.of() : plan(id);
    String name = b.hasNonNull("name") ? Accounts.text(b.get("name").asText(), "name", 100)
        : (String) current.get("name");
    if (name == null) {
      throw ApiException.badRequest("'name' is required");
    }
    Long soft = b.has("softQuotaBytes") ? Api.optionalLong(b, "softQuotaBytes") : Accounts.asLong(current.get("softQuotaBytes"));
    Long hard = b.has("hardQuotaBytes") ? Api.optionalLong(b, "hardQuotaBytes") : Accounts.asLong(current.get("hardQuotaBytes"));
    Accounts.checkQuotas(soft, hard);
    BigDecimal month = price(b, "pricePerGbMonth", (BigDecimal) current.get("pricePerGbMonth"));
    BigDecimal egress = price(b, "pricePerGbEgress", (BigDecimal) current.get("pricePerGbEgress"));
    String currency = b.hasNonNull("currency") ? b.get("currency").asText() : (String) current.getOrDefault("currency", "EUR");
    if (!currency.matches("[A-Z]{3}")) {
      throw ApiException.badRequest("currency is a three-letter ISO 4217 code such as EUR or USD");
    }
    String retention;
    if (b.has("retention")) {
      retention = b.get("retention").isNull() ? null : b.get("retention").toString();
      if (retention != null) {
        Maintenance.parsePolicy(b.get("retention"));
      }
    } else {
      retention = current.get("retention") == null ? null : current.get("retention").toString();
    }
    Long days = b.has("immutabilityDays") ? Api.optionalLong(b, "immutabilityDays")
        : Accounts.asLong(current.get("immutabilityDays"));
    int immutability = days == null ? 0 : (int) Math.max(-1, Math.min(days, 36501));
    if (immutability < 0 || immutability > 36500) {
      throw ApiException.badRequest("immutabilityDays must be between 0 and 36500");
    }
    String now = clock.instant().toString();
    try {
      if (id == null) {
        return db.jdbi().withHandle(h -> h.createUpdate("INSERT INTO plans (name, soft_quota_bytes, hard_quota_bytes, "
            + "price_per_gb_month, price_per_gb_egress, currency, retention, immutability_days, created_at) "
            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)").bind(0, name).bind(1, soft).bind(2, hard)
            .bind(3, month.toPlainString()).bind(4, egress.toPlainString()).bind(5, currency).bind(6, retention)
            .bind(7, immutability).bind(8, now).executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
      }
      db.jdbi().useHandle(h -> h.createUpdate("UPDATE plans SET name = ?, soft_quota_bytes = ?, hard_quota_bytes = ?, "
          + "price_per_gb_month = ?, price_per_gb_egress = ?, currency = ?, retention = ?, immutability_days = ? "
          + "WHERE id = ?").bind(0, name).bind(1, soft).bind(2, hard).bind(3, month.toPlainString())
          .bind(4, egress.toPlainString()).bind(5, currency).bind(6, retention).bind(7, immutability).bind(8, id)
          .execute());
      return id;
    } catch (org.jdbi.v3.core.statement.UnableToExecuteStatementException e) {
      throw ApiException.conflict("a plan named '" + name + "' already exists");
    }
  }

  private static BigDecimal price(JsonNode b, String field, BigDecimal current) {
    JsonNode n = b.get(field);
    if (n == null || n.isNull()) {
      if (current == null) {
        throw ApiException.badRequest("'" + field + "' is required (a price per GB, such as 0.02)");
      }
      return current;
    }
    BigDecimal v;
    try {
      v = n.isNumber() ? n.decimalValue() : new BigDecimal(n.asText());
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("'" + field + "' must be a number such as 0.02");
    }
    if (v.signum() < 0 || v.compareTo(BigDecimal.valueOf(1_000_000)) > 0 || v.scale() > 6) {
      throw ApiException.badRequest("'" + field + "' must be between 0 and 1000000 with at most 6 decimals");
    }
    return v;
  }

  // ---- cost ----

  /** The cost of a tenant's month so far (or whole): storage by the day, egress by the byte. */
  public Map<String, Object> cost(long tenantId, YearMonth month) {
    metering.flush();
    return monthCost(tenantId, month);
  }

  /** As {@link #cost}, from what is already in {@code usage_daily} (the caller flushed). */
  private Map<String, Object> monthCost(long tenantId, YearMonth month) {
    Map<String, Object> prices = db.jdbi().withHandle(h -> h.createQuery("SELECT p.price_per_gb_month AS m, "
        + "p.price_per_gb_egress AS e, p.currency AS c FROM tenants t LEFT JOIN plans p ON p.id = t.plan_id "
        + "WHERE t.id = ?").bind(0, tenantId).mapToMap().one());
    BigDecimal perMonth = prices.get("m") == null ? BigDecimal.ZERO : new BigDecimal((String) prices.get("m"));
    BigDecimal perEgress = prices.get("e") == null ? BigDecimal.ZERO : new BigDecimal((String) prices.get("e"));
    String currency = prices.get("c") == null ? "EUR" : (String) prices.get("c");
    int daysInMonth = month.lengthOfMonth();
    List<Map<String, Object>> rows = db.jdbi().withHandle(h -> h.createQuery("SELECT day, physical_bytes AS p, "
        + "logical_bytes AS l, ingress_bytes AS i, egress_bytes AS e FROM usage_daily WHERE tenant_id = ? AND day >= ? "
        + "AND day <= ? ORDER BY day").bind(0, tenantId).bind(1, month.atDay(1).toString())
        .bind(2, month.atEndOfMonth().toString()).mapToMap().list());
    BigDecimal gbMonths = BigDecimal.ZERO;
    BigDecimal storage = BigDecimal.ZERO;
    BigDecimal egressGb = BigDecimal.ZERO;
    BigDecimal egressCost = BigDecimal.ZERO;
    List<Map<String, Object>> days = new ArrayList<>();
    for (Map<String, Object> r : rows) {
      BigDecimal physicalGb = BigDecimal.valueOf(((Number) r.get("p")).longValue()).divide(GB, 12, RoundingMode.HALF_UP);
      BigDecimal dayGbMonths = physicalGb.divide(BigDecimal.valueOf(daysInMonth), 12, RoundingMode.HALF_UP);
      BigDecimal dayStorage = dayGbMonths.multiply(perMonth);
      BigDecimal dayEgressGb = BigDecimal.valueOf(((Number) r.get("e")).longValue()).divide(GB, 12, RoundingMode.HALF_UP);
      BigDecimal dayEgress = dayEgressGb.multiply(perEgress);
      gbMonths = gbMonths.add(dayGbMonths);
      storage = storage.add(dayStorage);
      egressGb = egressGb.add(dayEgressGb);
      egressCost = egressCost.add(dayEgress);
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("day", r.get("day"));
      d.put("physicalBytes", r.get("p"));
      d.put("logicalBytes", r.get("l"));
      d.put("ingressBytes", r.get("i"));
      d.put("egressBytes", r.get("e"));
      d.put("storageCost", money(dayStorage));
      d.put("egressCost", money(dayEgress));
      days.add(d);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("month", month.toString());
    m.put("currency", currency);
    m.put("pricePerGbMonth", perMonth);
    m.put("pricePerGbEgress", perEgress);
    m.put("storageGbMonths", gbMonths.setScale(6, RoundingMode.HALF_UP));
    m.put("storageCost", money(storage));
    m.put("egressGb", egressGb.setScale(6, RoundingMode.HALF_UP));
    m.put("egressCost", money(egressCost));
    // As on an invoice: the total is the sum of the rounded parts, so the figures shown add up.
    m.put("total", money(storage).add(money(egressCost)));
    m.put("days", days);
    return m;
  }

  /** Every tenant's cost of a month: the provider's billing run. */
  public List<Map<String, Object>> billing(YearMonth month) {
    List<Map<String, Object>> tenants = db.jdbi().withHandle(h -> h.createQuery("SELECT t.id, t.slug, t.name, "
        + "p.name AS plan FROM tenants t LEFT JOIN plans p ON p.id = t.plan_id ORDER BY t.slug").mapToMap().list());
    metering.flush();
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map<String, Object> t : tenants) {
      Map<String, Object> c = monthCost(((Number) t.get("id")).longValue(), month);
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("tenant", t.get("slug"));
      row.put("name", t.get("name"));
      row.put("plan", t.get("plan"));
      for (String k : List.of("month", "currency", "storageGbMonths", "storageCost", "egressGb", "egressCost",
          "total")) {
        row.put(k, c.get(k));
      }
      out.add(row);
    }
    return out;
  }

  static BigDecimal money(BigDecimal v) {
    return v.setScale(4, RoundingMode.HALF_UP);
  }

  // ---- machines ----

  /** Each enrolled machine of a tenant with its last backup and whether it is overdue. */
  public List<Map<String, Object>> machines(long tenantId) {
    List<Map<String, Object>> rows = db.jdbi().withHandle(h -> h.createQuery("SELECT a.id, a.name, r.name AS "
        + "repository, a.scope, a.enrolled_at AS enrolledAt, a.last_seen_at AS lastSeenAt, a.revoked_at AS revokedAt, "
        + "a.expected_interval_hours AS expectedIntervalHours, a.last_refusal_at AS refusedAt, a.last_refusal_code AS "
        + "refusalCode, a.last_refusal_message AS refusalMessage, s.stored_at AS storedAt, "
        + "s.snapshot_id AS snapshot, s.time, s.logical_bytes AS "
        + "logicalBytes, s.new_stored_bytes AS newStoredBytes, s.errors FROM agents a JOIN repositories r ON "
        + "r.id = a.repository_id LEFT JOIN snapshots s ON s.agent_id = a.id AND s.repository_id = a.repository_id "
        + "AND s.time = (SELECT MAX(time) FROM snapshots x WHERE x.agent_id = a.id AND x.repository_id = "
        + "a.repository_id) WHERE a.tenant_id = ? ORDER BY a.name, a.id").bind(0, tenantId).mapToMap().list());
    Instant now = clock.instant();
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map<String, Object> r : rows) {
      Map<String, Object> m = new LinkedHashMap<>();
      for (String k : List.of("id", "name", "repository", "scope", "enrolledAt", "lastSeenAt", "revokedAt",
          "expectedIntervalHours")) {
        m.put(k, r.get(k));
      }
      Duration interval = Duration.ofHours(((Number) r.get("expectedIntervalHours")).longValue());
      String state;
      if (r.get("snapshot") == null) {
        m.put("lastBackup", null);
        state = Instant.parse((String) r.get("enrolledAt")).plus(interval).isBefore(now) ? "missed" : "never";
      } else {
        Map<String, Object> last = new LinkedHashMap<>();
        last.put("snapshot", r.get("snapshot"));
        last.put("time", r.get("time"));
        last.put("logicalBytes", r.get("logicalBytes"));
        last.put("newStoredBytes", r.get("newStoredBytes"));
        last.put("errors", r.get("errors"));
        m.put("lastBackup", last);
        boolean overdue = Instant.parse((String) r.get("time")).plus(interval).isBefore(now);
        state = overdue ? "missed" : ((Number) r.get("errors")).longValue() > 0 ? "partial" : "ok";
      }
      // A refusal that ended a backup stands until a snapshot is stored after it.
      String refusedAt = (String) r.get("refusedAt");
      boolean refused = refusedAt != null && (r.get("storedAt") == null
          || Instant.parse(refusedAt).isAfter(Instant.parse((String) r.get("storedAt"))));
      if (refused) {
        state = "refused";
        Map<String, Object> why = new LinkedHashMap<>();
        why.put("time", refusedAt);
        why.put("code", r.get("refusalCode"));
        why.put("message", r.get("refusalMessage"));
        m.put("lastRefusal", why);
      } else {
        m.put("lastRefusal", null);
      }
      if (r.get("revokedAt") != null) {
        state = "revoked";
      }
      m.put("state", state);
      out.add(m);
    }
    return out;
  }

  public void setExpectedInterval(long tenantId, long agentId, long hours) {
    if (hours < 1 || hours > 24 * 366) {
      throw ApiException.badRequest("expectedIntervalHours must be between 1 and 8784 (a year)");
    }
    int n = db.jdbi().withHandle(h -> h.createUpdate("UPDATE agents SET expected_interval_hours = ? WHERE id = ? "
        + "AND tenant_id = ?").bind(0, hours).bind(1, agentId).bind(2, tenantId).execute());
    if (n == 0) {
      throw ApiException.notFound("agent #" + agentId);
    }
  }

  // ---- dashboard ----

  public Map<String, Object> dashboard() {
    metering.flush();
    Map<String, Object> m = new LinkedHashMap<>();
    Map<String, Object> cap = new LinkedHashMap<>();
    long physical = repos.all().stream().mapToLong(RepoHandle::physicalBytes).sum();
    // What the tenants' data can grow into: what it holds now and what is free for it. Quota sold
    // is weighed against that, not against the whole disk, which other data may share.
    long forData;
    Placement placement = repos.placement();
    if (placement.inBucket()) {
      // An object store does not tell its size over S3: the operator states it (storage.capacity-bytes).
      long total = placement.capacityBytes();
      cap.put("path", placement.describeBucket());
      cap.put("totalBytes", total);
      cap.put("usedBytes", physical);
      cap.put("freeBytes", Math.max(0, total - physical));
      cap.put("usedPercent", total == 0 ? null : percentUp(physical, total));
      forData = total;
    } else try {
      // The figures df prints for the file system: size, used (size minus free blocks), available
      // to this process (free blocks less those reserved for root), and used over used plus available.
      FileStore fs = Files.getFileStore(dataDir.resolve("repos"));
      long used = fs.getTotalSpace() - fs.getUnallocatedSpace();
      long available = fs.getUsableSpace();
      cap.put("path", dataDir.resolve("repos").toString());
      cap.put("totalBytes", fs.getTotalSpace());
      cap.put("usedBytes", used);
      cap.put("freeBytes", available);
      cap.put("usedPercent", used + available == 0 ? null : percentUp(used, used + available));
      forData = physical + available;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    cap.put("forDataBytes", forData);
    m.put("capacity", cap);
    m.put("physicalBytes", physical);
    m.put("logicalBytes", db.jdbi().withHandle(h -> h.createQuery("SELECT COALESCE(SUM(logical_bytes), 0) FROM "
        + "snapshots").mapTo(Long.class).one()));
    Map<String, Object> sold = db.jdbi().withHandle(h -> h.createQuery("SELECT COALESCE(SUM(hard_quota_bytes), 0) "
        + "AS sold, SUM(hard_quota_bytes IS NULL) AS unlimited, COUNT(*) AS n FROM tenants WHERE suspended = 0")
        .mapToMap().one());
    long quotaSold = ((Number) sold.get("sold")).longValue();
    m.put("quotaSoldBytes", quotaSold);
    m.put("tenantsWithoutQuota", sold.get("unlimited") == null ? 0 : ((Number) sold.get("unlimited")).longValue());
    m.put("overbookingRatio", forData == 0 ? null : BigDecimal.valueOf(quotaSold).divide(BigDecimal.valueOf(forData),
        3, RoundingMode.HALF_UP));
    m.put("tenants", db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM tenants").mapTo(Long.class).one()));
    String today = LocalDate.now(clock.withZone(ZoneOffset.UTC)).toString();
    m.put("today", db.jdbi().withHandle(h -> h.createQuery("SELECT COALESCE(SUM(ingress_bytes), 0) AS ingressBytes, "
        + "COALESCE(SUM(egress_bytes), 0) AS egressBytes, COALESCE(SUM(requests), 0) AS requests FROM usage_daily "
        + "WHERE day = ?").bind(0, today).mapToMap().one()));
    m.put("alerts", alerts());
    return m;
  }

  /** {@code part} over {@code whole} in percent, rounded up to a whole number as df rounds it. */
  static long percentUp(long part, long whole) {
    return BigDecimal.valueOf(part).multiply(BigDecimal.valueOf(100)).divide(BigDecimal.valueOf(whole), 0,
        RoundingMode.CEILING).longValue();
  }

  private List<Map<String, Object>> alerts() {
    List<Map<String, Object>> out = new ArrayList<>();
    List<Map<String, Object>> tenants = db.jdbi().withHandle(h -> h.createQuery("SELECT id, slug, soft_quota_bytes AS "
        + "soft, suspended FROM tenants ORDER BY slug").mapToMap().list());
    for (Map<String, Object> t : tenants) {
      long id = ((Number) t.get("id")).longValue();
      String slug = (String) t.get("slug");
      if (((Number) t.get("suspended")).intValue() != 0) {
        out.add(alert("suspended", slug, "tenant " + slug, "the tenant is suspended: backups are refused", null));
      }
      Long soft = Accounts.asLong(t.get("soft"));
      long used = repos.tenantPhysicalBytes(id);
      if (soft != null && used > soft) {
        out.add(alert("over_soft_quota", slug, "tenant " + slug, "uses " + Units.bytes(used) + ", over the soft quota of "
            + Units.bytes(soft), null));
      }
      for (Map<String, Object> machine : machines(id)) {
        if ("refused".equals(machine.get("state"))) {
          Map<?, ?> why = (Map<?, ?>) machine.get("lastRefusal");
          out.add(alert("backup_refused", slug, "machine " + machine.get("name"), "a backup was refused: "
              + why.get("message"), why.get("time")));
        }
        if ("missed".equals(machine.get("state"))) {
          Object since = machine.get("lastBackup") == null ? machine.get("enrolledAt")
              : ((Map<?, ?>) machine.get("lastBackup")).get("time");
          out.add(alert("missed_backup", slug, "machine " + machine.get("name"), "no backup within the expected "
              + machine.get("expectedIntervalHours") + " hours", since));
        }
      }
    }
    // The latest job of each kind on each repository, when it did not end well.
    List<Map<String, Object>> jobs = db.jdbi().withHandle(h -> h.createQuery("SELECT t.slug, r.name, j.kind, j.status, "
        + "j.finished_at AS finishedAt, j.error FROM jobs j JOIN repositories r ON r.id = j.repository_id JOIN tenants t "
        + "ON t.id = r.tenant_id WHERE j.id IN (SELECT MAX(id) FROM jobs WHERE status NOT IN ('queued', 'running') "
        + "GROUP BY repository_id, kind) AND j.status IN ('failed', 'problems', 'interrupted') ORDER BY j.id DESC")
        .mapToMap().list());
    for (Map<String, Object> j : jobs) {
      boolean scrub = "scrub".equals(j.get("kind")) && "problems".equals(j.get("status"));
      out.add(alert(scrub ? "scrub_errors" : "failed_job", (String) j.get("slug"), j.get("kind") + " of "
          + j.get("slug") + "/" + j.get("name"), scrub ? "scrub found damaged data" : j.get("kind") + " "
          + j.get("status") + (j.get("error") == null ? "" : ": " + j.get("error")), j.get("finishedAt")));
    }
    return out;
  }

  private static Map<String, Object> alert(String kind, String tenant, String target, String message, Object since) {
    Map<String, Object> a = new LinkedHashMap<>();
    a.put("kind", kind);
    a.put("tenant", tenant);
    a.put("target", target);
    a.put("message", message);
    a.put("since", since);
    return a;
  }
}
