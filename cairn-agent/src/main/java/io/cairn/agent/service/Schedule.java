package io.cairn.agent.service;

import io.cairn.text.Units;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When a job runs: every interval ({@code every: 1h}), or at a time of day, daily or on one day
 * of the week ({@code at: "02:30"}, {@code at: "Mon 03:00"}), in the machine's time zone, plus
 * up to {@code jitter} so that a provider's machines do not all start at once. A run that was
 * due while the agent was stopped (a sleep, a reboot) happens as soon as it starts again: once,
 * not once per missed period.
 *
 * @param every the interval, or null
 * @param at the time of day, or null
 * @param day the day of the week for {@code at}, or null for every day
 */
public record Schedule(Duration every, LocalTime at, DayOfWeek day, Duration jitter) {

  public Schedule {
    if ((every == null) == (at == null)) {
      throw new IllegalArgumentException("a schedule needs either 'every' or 'at'");
    }
    if (every != null && every.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("'every' must be at least 1s");
    }
  }

  /** Parses {@code every} (a duration) or {@code at} ("HH:MM", or a day and "HH:MM"), and {@code jitter}. */
  public static Schedule parse(String every, String at, String jitter) {
    Duration j = jitter == null ? Duration.ZERO : Units.parseDuration(jitter, "jitter");
    if (every != null && at != null) {
      throw new IllegalArgumentException("give 'every' or 'at', not both");
    }
    if (every != null) {
      return new Schedule(Units.parseDuration(every, "every"), null, null, j);
    }
    if (at == null) {
      throw new IllegalArgumentException("a job needs 'every' (e.g. 1h) or 'at' (e.g. \"02:30\" or \"Sun 03:00\")");
    }
    String[] parts = at.trim().split("\\s+");
    DayOfWeek day = null;
    String time = parts[parts.length - 1];
    if (parts.length == 2) {
      day = dayOf(parts[0]);
    } else if (parts.length != 1) {
      throw new IllegalArgumentException("'at' is \"HH:MM\" or a day and \"HH:MM\" (\"Sun 03:00\"), not '" + at + "'");
    }
    try {
      return new Schedule(null, LocalTime.parse(time.length() == 4 ? "0" + time : time), day, j);
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException("'" + time + "' in 'at' is not a time of day such as 02:30");
    }
  }

  private static DayOfWeek dayOf(String s) {
    for (DayOfWeek d : DayOfWeek.values()) {
      if (d.getDisplayName(TextStyle.SHORT, Locale.ENGLISH).equalsIgnoreCase(s)
          || d.getDisplayName(TextStyle.FULL, Locale.ENGLISH).equalsIgnoreCase(s)) {
        return d;
      }
    }
    throw new IllegalArgumentException("'" + s + "' is not a day of the week (Mon, Tue, … Sun)");
  }

  /**
   * When the run after one that was due at {@code lastDue} is due, before jitter; with no run so
   * far ({@code lastDue} null), an interval job is due at once and a timed one at its next time.
   * A result at or before {@code now} means: due now (a missed run catches up once).
   */
  public Instant nextDue(Instant lastDue, Instant now, ZoneId zone) {
    if (every != null) {
      return lastDue == null ? now : lastDue.plus(every);
    }
    ZonedDateTime from = (lastDue == null ? now : lastDue).atZone(zone);
    ZonedDateTime t = from.with(at);
    while (!t.isAfter(from) || (day != null && t.getDayOfWeek() != day)) {
      t = t.plusDays(1).with(at);
    }
    return t.toInstant();
  }

  /** A random delay of up to {@link #jitter}. */
  public Duration randomJitter() {
    return jitter.isZero() ? Duration.ZERO : Duration.ofMillis(ThreadLocalRandom.current().nextLong(jitter.toMillis() + 1));
  }

  /** The longest a run may wait between tries after a failure: the period. */
  public Duration period() {
    return every != null ? every : Duration.ofDays(day == null ? 1 : 7);
  }

  @Override
  public String toString() {
    String s = every != null ? "every " + Units.span(every)
        : (day == null ? "daily" : day.getDisplayName(TextStyle.FULL, Locale.ENGLISH) + "s") + " at " + at;
    return jitter.isZero() ? s : s + " (+ up to " + Units.span(jitter) + ")";
  }
}
