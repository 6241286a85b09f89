package io.cairn.maintenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.format.Id;
import io.cairn.format.SnapshotEnvelope;
import io.cairn.format.SnapshotSummary;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RetentionPlannerTest {
  static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
  static final SnapshotSummary SUM = new SnapshotSummary(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  final Random rnd = new Random(1);
  final RetentionPlanner planner = new RetentionPlanner(ZoneOffset.UTC);

  RetentionPlanner.Candidate snap(Instant t, String host, Instant lock, String... tags) {
    byte[] b = new byte[32];
    rnd.nextBytes(b);
    return new RetentionPlanner.Candidate(Id.of(b),
        new SnapshotEnvelope(t, host, List.of(tags), null, "0123456789abcdef0123456789abcdef", lock, false, "t", SUM));
  }

  /** Every six hours for 400 days. */
  List<RetentionPlanner.Candidate> history(String host) {
    List<RetentionPlanner.Candidate> out = new ArrayList<>();
    for (int i = 0; i < 400 * 4; i++) {
      out.add(snap(NOW.minus(Duration.ofHours(6L * i)), host, null));
    }
    return out;
  }

  static long kept(List<RetentionPlanner.Decision> d) {
    return d.stream().filter(RetentionPlanner.Decision::keep).count();
  }

  @Test
  void calendarRulesKeepOnePerBucket() {
    List<RetentionPlanner.Candidate> h = history("a");
    assertThat(kept(planner.plan(h, new RetentionPolicy(0, 0, 7, 0, 0, 0, null, Set.of()), NOW))).isEqualTo(7);
    assertThat(kept(planner.plan(h, new RetentionPolicy(0, 5, 0, 0, 0, 0, null, Set.of()), NOW))).isEqualTo(5);
    assertThat(kept(planner.plan(h, new RetentionPolicy(0, 0, 0, 4, 0, 0, null, Set.of()), NOW))).isEqualTo(4);
    assertThat(kept(planner.plan(h, new RetentionPolicy(0, 0, 0, 0, 12, 0, null, Set.of()), NOW))).isEqualTo(12);
    assertThat(kept(planner.plan(h, new RetentionPolicy(0, 0, 0, 0, 0, 5, null, Set.of()), NOW))).isEqualTo(2);
    // Rules overlap: the newest snapshot is the pick of every rule.
    List<RetentionPlanner.Decision> combined = planner.plan(h, new RetentionPolicy(3, 0, 7, 4, 12, 0, null, Set.of()), NOW);
    assertThat(combined.getFirst().reasons()).contains("last 1").anyMatch(r -> r.startsWith("daily 1"))
        .anyMatch(r -> r.startsWith("monthly 1"));
    assertThat(kept(combined)).isBetween(12L, 3L + 7 + 4 + 12);
    // Within keeps exactly the last 10 days (4 per day, inclusive of the boundary).
    assertThat(kept(planner.plan(h, new RetentionPolicy(0, 0, 0, 0, 0, 0, Duration.ofDays(10), Set.of()), NOW)))
        .isEqualTo(41);
  }

  @Test
  void lockedAndTaggedSnapshotsAlwaysStay() {
    List<RetentionPlanner.Candidate> s = new ArrayList<>(history("a").subList(0, 20));
    RetentionPlanner.Candidate locked = snap(NOW.minus(Duration.ofDays(300)), "a", NOW.plus(Duration.ofDays(1)));
    RetentionPlanner.Candidate expired = snap(NOW.minus(Duration.ofDays(301)), "a", NOW.minus(Duration.ofDays(1)));
    RetentionPlanner.Candidate tagged = snap(NOW.minus(Duration.ofDays(302)), "a", null, "release");
    s.addAll(List.of(locked, expired, tagged));
    List<RetentionPlanner.Decision> d = planner.plan(s, new RetentionPolicy(1, 0, 0, 0, 0, 0, null, Set.of("release")), NOW);
    assertThat(d).filteredOn(RetentionPlanner.Decision::keep).extracting(x -> x.snapshot().id())
        .containsExactlyInAnyOrder(s.getFirst().id(), locked.id(), tagged.id());
    assertThat(d.stream().filter(x -> x.snapshot() == locked).findFirst().orElseThrow().reasons().getFirst())
        .startsWith("locked until");
  }

  @Test
  void hostsAreGroupedSeparatelyAndEmptyPoliciesAreRefused() {
    List<RetentionPlanner.Candidate> s = new ArrayList<>(history("a").subList(0, 10));
    s.addAll(history("b").subList(0, 10));
    assertThat(kept(planner.plan(s, new RetentionPolicy(2, 0, 0, 0, 0, 0, null, Set.of()), NOW))).isEqualTo(4);
    assertThatThrownBy(() -> planner.plan(s, new RetentionPolicy(0, 0, 0, 0, 0, 0, null, Set.of()), NOW))
        .hasMessageContaining("nothing is removed");
  }
}
