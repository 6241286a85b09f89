package io.cairn.maintenance;

import java.time.Duration;
import java.util.List;
import java.util.Set;

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
}
