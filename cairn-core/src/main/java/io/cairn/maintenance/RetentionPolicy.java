package io.cairn.maintenance;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which snapshots to keep, as restic users write it. Counts of zero mean "rule not used";
 * a policy with no rule at all is refused by {@link RetentionPlanner}, so that an empty
 * command line never removes everything.
 *
 * @param within keep every snapshot newer than the group's newest minus this (null: unused)
 * @param tags keep every snapshot carrying one of these tags
 */
public record RetentionPolicy(int last, int hourly, int daily, int weekly, int monthly, int yearly,
    Duration within, Set<String> tags) {

  public RetentionPolicy {
    for (int n : List.of(last, hourly, daily, weekly, monthly, yearly)) {
      if (n < 0) {
        throw new IllegalArgumentException("keep counts must not be negative, got " + n);
      }
    }
    if (within != null && within.isNegative()) {
      throw new IllegalArgumentException("--keep-within must not be negative");
    }
    tags = Set.copyOf(tags);
  }

  public boolean isEmpty() {
    return last == 0 && hourly == 0 && daily == 0 && weekly == 0 && monthly == 0 && yearly == 0
        && within == null && tags.isEmpty();
  }

  private static final Pattern PART = Pattern.compile("(\\d+)([ymwdh])");

  /** The longest keep-within: 1000 years of 365 days, in hours. */
  private static final long MAX_HOURS = 365_000L * 24;

  /** The longest keep-within: 1000 years of 365 days. */
  public static final Duration MAX_WITHIN = Duration.ofHours(MAX_HOURS);

  /**
   * A --keep-within duration as restic writes it: a sequence of NUMBER UNIT with units y (365
   * days), m (30 days), w, d and h, e.g. 1y6m or 36h, at most {@link #MAX_WITHIN}. The CLI and the
   * server read it the same way.
   */
  public static Duration parseWithin(String s) {
    Matcher m = PART.matcher(s);
    long hours = 0;
    boolean tooLong = false;
    int end = 0;
    while (m.find() && m.start() == end) {
      long unit = switch (m.group(2)) {
        case "y" -> 365 * 24;
        case "m" -> 30 * 24;
        case "w" -> 7 * 24;
        case "d" -> 24;
        default -> 1;
      };
      // Each part is at most MAX_HOURS, so the sum of the parts a string can hold stays far from overflow.
      String digits = m.group(1);
      long n = digits.length() > 12 ? Long.MAX_VALUE : Long.parseLong(digits);
      if (n > MAX_HOURS / unit) {
        tooLong = true;
      } else {
        hours += n * unit;
      }
      end = m.end();
    }
    if (end != s.length() || s.isEmpty()) {
      throw new IllegalArgumentException("'" + s + "' is not a duration; use e.g. 30d, 12h, 1y6m, 2w");
    }
    if (tooLong || hours > MAX_HOURS) {
      throw new IllegalArgumentException("'" + s + "' is longer than the limit of 1000y (365000 days)");
    }
    return Duration.ofHours(hours);
  }
}
