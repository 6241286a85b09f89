package io.cairn.server;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down password guessing without letting anyone lock a user out. Failures count per user
 * name and address together: after {@link #FREE_FAILURES} of them, each further attempt of that
 * pair must wait twice as long as the one before (1 s, 2 s, 4 s, ... up to 15 minutes), while
 * the same user logging in from another address is not held back at all. An address that fails
 * {@link #ADDRESS_FAILURES_ALLOWED} times within {@link #ADDRESS_WINDOW}, for any names, is
 * refused until the oldest of those failures is that old. A success clears its pair; an
 * administrator's unlock clears every pair of a user name. The state is this process's own.
 */
final class LoginThrottle {
  static final int FREE_FAILURES = 3;
  static final Duration MAX_DELAY = Duration.ofMinutes(15);
  /** A pair's failures are forgotten this long after the last of them. */
  static final Duration PAIR_MEMORY = Duration.ofHours(1);
  /** Per address: many names behind one proxy or NAT must not lock each other out easily. */
  static final int ADDRESS_FAILURES_ALLOWED = 50;
  static final Duration ADDRESS_WINDOW = Duration.ofMinutes(15);
  /** Past this many remembered pairs, the forgotten ones are dropped on the next failure. */
  private static final int SWEEP_ABOVE = 10_000;

  /** The failures of one pair: how many in a row, and when the last one was. */
  private record Failures(int count, Instant last) {
    /** When the pair may try again. */
    Instant nextAttempt() {
      return last.plus(delay(count));
    }
  }

  private final Clock clock;
  private final Map<String, Failures> pairs = new ConcurrentHashMap<>();
  private final Map<String, Deque<Instant>> addresses = new ConcurrentHashMap<>();

  LoginThrottle(Clock clock) {
    this.clock = clock;
  }

  /** How long this pair must wait before its next attempt: zero when it may try now. */
  Duration waitFor(String username, String address) {
    Instant now = clock.instant();
    Duration wait = Duration.ZERO;
    Failures f = pairs.get(pair(username, address));
    if (f != null && f.nextAttempt().isAfter(now)) {
      wait = Duration.between(now, f.nextAttempt());
    }
    Deque<Instant> d = addresses.get(address);
    if (d != null) {
      synchronized (d) {
        Instant cutoff = now.minus(ADDRESS_WINDOW);
        while (!d.isEmpty() && !d.peekFirst().isAfter(cutoff)) {
          d.pollFirst();
        }
        if (d.size() >= ADDRESS_FAILURES_ALLOWED) {
          Duration untilOldestAges = Duration.between(now, d.peekFirst().plus(ADDRESS_WINDOW));
          wait = untilOldestAges.compareTo(wait) > 0 ? untilOldestAges : wait;
        }
      }
    }
    return wait;
  }

  /** The wait before the attempt after {@code failures} failures in a row. */
  static Duration delay(int failures) {
    if (failures < FREE_FAILURES) {
      return Duration.ZERO;
    }
    Duration d = Duration.ofSeconds(1L << Math.min(failures - FREE_FAILURES, 20));
    return d.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : d;
  }

  void failed(String username, String address) {
    Instant now = clock.instant();
    pairs.compute(pair(username, address), (k, f) -> f == null || forgotten(f, now) ? new Failures(1, now)
        : new Failures(f.count() + 1, now));
    Deque<Instant> d = addresses.computeIfAbsent(address, k -> new ArrayDeque<>());
    synchronized (d) {
      d.addLast(now);
      while (d.size() > ADDRESS_FAILURES_ALLOWED) {
        d.pollFirst();
      }
    }
    if (pairs.size() > SWEEP_ABOVE) {
      pairs.values().removeIf(f -> forgotten(f, now));
      addresses.entrySet().removeIf(e -> {
        synchronized (e.getValue()) {
          return e.getValue().isEmpty() || !e.getValue().peekLast().isAfter(now.minus(ADDRESS_WINDOW));
        }
      });
    }
  }

  void succeeded(String username, String address) {
    pairs.remove(pair(username, address));
  }

  /** Clears the failures of this user name from every address. */
  void unlock(String username) {
    String prefix = key(username) + '\0';
    pairs.keySet().removeIf(k -> k.startsWith(prefix));
  }

  /** A user name's state: failures in a row summed over its addresses, and the latest time one of them may try again. */
  record State(int failures, Instant blockedUntil) {}

  Optional<State> state(String username) {
    String prefix = key(username) + '\0';
    Instant now = clock.instant();
    int failures = 0;
    Instant until = null;
    for (Map.Entry<String, Failures> e : pairs.entrySet()) {
      Failures f = e.getValue();
      if (!e.getKey().startsWith(prefix) || forgotten(f, now)) {
        continue;
      }
      failures += f.count();
      Instant next = f.nextAttempt();
      if (next.isAfter(now) && (until == null || next.isAfter(until))) {
        until = next;
      }
    }
    return failures == 0 ? Optional.empty() : Optional.of(new State(failures, until));
  }

  private static boolean forgotten(Failures f, Instant now) {
    return !f.last().plus(PAIR_MEMORY).isAfter(now);
  }

  private static String key(String username) {
    return username == null ? "" : username.toLowerCase(Locale.ROOT);
  }

  private static String pair(String username, String address) {
    return key(username) + '\0' + address;
  }
}
