package io.cairn.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
  final io.cairn.HandClock clock = new io.cairn.HandClock(Instant.parse("2026-12-01T10:00:00Z"));
  final LoginThrottle t = new LoginThrottle(clock);

  @Test
  void eachFailurePastTheFreeOnesDoublesTheWaitOfThatPairOnly() {
    for (int i = 0; i < LoginThrottle.FREE_FAILURES; i++) {
      assertThat(t.waitFor("bob", "10.0.0.9")).isZero();
      t.failed("bob", "10.0.0.9");
    }
    assertThat(t.waitFor("bob", "10.0.0.9")).isEqualTo(Duration.ofSeconds(1));
    assertThat(t.waitFor("BOB", "10.0.0.9")).as("names compare without case").isEqualTo(Duration.ofSeconds(1));
    assertThat(t.waitFor("bob", "192.0.2.1")).as("bob from his own address").isZero();
    assertThat(t.waitFor("carol", "10.0.0.9")).as("another name from that address").isZero();
    clock.advance(Duration.ofSeconds(1));
    t.failed("bob", "10.0.0.9");
    assertThat(t.waitFor("bob", "10.0.0.9")).isEqualTo(Duration.ofSeconds(2));
    t.failed("bob", "10.0.0.9");
    assertThat(t.waitFor("bob", "10.0.0.9")).isEqualTo(Duration.ofSeconds(4));
    for (int i = 0; i < 20; i++) {
      t.failed("bob", "10.0.0.9");
    }
    assertThat(t.waitFor("bob", "10.0.0.9")).isEqualTo(LoginThrottle.MAX_DELAY);
    assertThat(t.state("bob").orElseThrow().failures()).isEqualTo(LoginThrottle.FREE_FAILURES + 22);
    assertThat(t.state("bob").orElseThrow().blockedUntil()).isEqualTo(clock.instant().plus(LoginThrottle.MAX_DELAY));
    assertThat(t.state("carol")).isEmpty();
  }

  @Test
  void successUnlockAndTimeClearTheWait() {
    for (int i = 0; i < LoginThrottle.FREE_FAILURES + 2; i++) {
      t.failed("bob", "10.0.0.9");
      t.failed("bob", "10.0.0.10");
    }
    t.succeeded("bob", "10.0.0.9");
    assertThat(t.waitFor("bob", "10.0.0.9")).isZero();
    assertThat(t.waitFor("bob", "10.0.0.10")).isPositive();
    t.unlock("Bob");
    assertThat(t.waitFor("bob", "10.0.0.10")).isZero();
    assertThat(t.state("bob")).isEmpty();

    for (int i = 0; i < LoginThrottle.FREE_FAILURES + 2; i++) {
      t.failed("bob", "10.0.0.9");
    }
    clock.advance(LoginThrottle.PAIR_MEMORY);
    assertThat(t.state("bob")).isEmpty();
    t.failed("bob", "10.0.0.9");
    assertThat(t.waitFor("bob", "10.0.0.9")).as("forgotten failures start again from one").isZero();
  }

  @Test
  void anAddressThatFailsForManyNamesIsHeldBack() {
    for (int i = 0; i < LoginThrottle.ADDRESS_FAILURES_ALLOWED; i++) {
      assertThat(t.waitFor("user" + i, "10.0.0.9")).isZero();
      t.failed("user" + i, "10.0.0.9");
      clock.advance(Duration.ofSeconds(1));
    }
    Duration wait = t.waitFor("someone-new", "10.0.0.9");
    assertThat(wait).isEqualTo(LoginThrottle.ADDRESS_WINDOW.minusSeconds(LoginThrottle.ADDRESS_FAILURES_ALLOWED));
    assertThat(t.waitFor("someone-new", "10.0.0.10")).isZero();
    clock.advance(wait);
    assertThat(t.waitFor("someone-new", "10.0.0.9")).isZero();
  }

  /** What security.md states: one address guessing one name as fast as allowed gets 15 tries in the first hour, 4 in the next. */
  @Test
  void aGuesserGetsFifteenTriesInTheFirstHourAndFourAnHourAfter() {
    Instant start = clock.instant();
    int[] perHour = new int[2];
    while (clock.instant().isBefore(start.plus(Duration.ofHours(2)))) {
      Duration wait = t.waitFor("bob", "10.0.0.9");
      if (!wait.isZero()) {
        clock.advance(wait);
        continue;
      }
      perHour[(int) Duration.between(start, clock.instant()).toHours()]++;
      t.failed("bob", "10.0.0.9");
    }
    assertThat(perHour).containsExactly(15, 4);
  }
}
