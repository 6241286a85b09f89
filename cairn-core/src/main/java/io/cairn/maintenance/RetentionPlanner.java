package io.cairn.maintenance;

import io.cairn.format.CairnException;
import io.cairn.format.Id;
import io.cairn.format.SnapshotEnvelope;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Applies a {@link RetentionPolicy} to snapshot envelopes: no key is needed, so the provider's
 * server can run it. Snapshots are grouped by host and paths tag; within a group every rule
 * picks its snapshots independently and a snapshot is kept if any rule (or its lock) keeps it.
 *
 * <p>Safety invariant: a snapshot whose {@code lockedUntil} lies after {@code now} is always
 * kept, whatever the policy says; nothing in this class or its callers can override that.
 */
public final class RetentionPlanner {
  private final ZoneId zone;

  public RetentionPlanner(ZoneId zone) {
    this.zone = zone;
  }

  /** A snapshot's envelope with its id. */
  public record Candidate(Id id, SnapshotEnvelope envelope) {}

  /** The decision for one snapshot, with every reason it is kept (empty when it goes). */
  public record Decision(Candidate snapshot, String group, List<String> reasons) {
    public boolean keep() {
      return !reasons.isEmpty();
    }
  }

  public List<Decision> plan(List<Candidate> snapshots, RetentionPolicy policy, Instant now) {
    if (policy.isEmpty()) {
      throw new CairnException("no retention rule given (--keep-last, --keep-daily, ...); nothing is removed");
    }
    Map<String, List<Candidate>> groups = new LinkedHashMap<>();
    List<Candidate> sorted = new ArrayList<>(snapshots);
    sorted.sort(Comparator.comparing((Candidate c) -> c.envelope().time()).reversed()
        .thenComparing(Candidate::id));
    for (Candidate c : sorted) {
      groups.computeIfAbsent(groupOf(c.envelope()), g -> new ArrayList<>()).add(c);
    }
    List<Decision> out = new ArrayList<>();
    for (Map.Entry<String, List<Candidate>> g : groups.entrySet()) {
      out.addAll(planGroup(g.getKey(), g.getValue(), policy, now));
    }
    return out;
  }

  /** Host and the full paths tag (the display shortens it). */
  public static String groupOf(SnapshotEnvelope e) {
    return "host " + e.host() + ", paths " + e.pathsTag();
  }

  private List<Decision> planGroup(String group, List<Candidate> newestFirst, RetentionPolicy p, Instant now) {
    Map<Candidate, List<String>> reasons = new LinkedHashMap<>();
    for (Candidate c : newestFirst) {
      List<String> r = new ArrayList<>();
      Instant lock = c.envelope().lockedUntil();
      if (lock != null && lock.isAfter(now)) {
        r.add("locked until " + lock);
      }
      for (String t : c.envelope().tags()) {
        if (p.tags().contains(t)) {
          r.add("tag " + t);
        }
      }
      reasons.put(c, r);
    }
    for (int i = 0; i < Math.min(p.last(), newestFirst.size()); i++) {
      reasons.get(newestFirst.get(i)).add("last " + (i + 1));
    }
    bucket(newestFirst, reasons, p.hourly(), "hourly", t -> t.truncatedTo(ChronoUnit.HOURS).toString());
    bucket(newestFirst, reasons, p.daily(), "daily", t -> t.toLocalDate().toString());
    bucket(newestFirst, reasons, p.weekly(), "weekly",
        t -> t.get(IsoFields.WEEK_BASED_YEAR) + "-W" + t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
    bucket(newestFirst, reasons, p.monthly(), "monthly", t -> t.getYear() + "-" + t.getMonthValue());
    bucket(newestFirst, reasons, p.yearly(), "yearly", t -> String.valueOf(t.getYear()));
    if (p.within() != null && !newestFirst.isEmpty()) {
      Instant cutoff = newestFirst.getFirst().envelope().time().minus(p.within());
      for (Candidate c : newestFirst) {
        if (!c.envelope().time().isBefore(cutoff)) {
          reasons.get(c).add("within " + p.within());
        }
      }
    }
    List<Decision> out = new ArrayList<>();
    for (Candidate c : newestFirst) {
      out.add(new Decision(c, group, List.copyOf(reasons.get(c))));
    }
    return out;
  }

  /** Keeps the newest snapshot of each of the {@code n} newest buckets. */
  private void bucket(List<Candidate> newestFirst, Map<Candidate, List<String>> reasons, int n, String name,
      Function<ZonedDateTime, String> key) {
    String last = null;
    int kept = 0;
    for (Candidate c : newestFirst) {
      if (kept >= n) {
        return;
      }
      String k = key.apply(c.envelope().time().atZone(zone));
      if (!k.equals(last)) {
        kept++;
        reasons.get(c).add(name + " " + kept + " (" + k + ")");
        last = k;
      }
    }
  }
}
