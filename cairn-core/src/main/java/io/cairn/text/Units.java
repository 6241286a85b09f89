package io.cairn.text;

import java.time.Duration;
import java.util.Locale;

/**
 * Numbers for people, the same everywhere Cairn prints them: sizes in binary units (as the
 * console's {@code fmtBytes}), durations as a clock or in words, and parsing of sizes such as
 * "512KiB", "4M" or "1G".
 */
public final class Units {
  private Units() {}

  private static final String[] BINARY = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

  /** 1023 B, 1.50 KiB, 12.3 MiB, 512 GiB: three significant digits, as the console shows them. */
  public static String bytes(long b) {
    if (Math.abs(b) < 1024) {
      return b + " B";
    }
    double v = Math.abs((double) b);
    int i = -1;
    while (v >= 1024 && i < BINARY.length - 1) {
      v /= 1024;
      i++;
    }
    String digits = v < 10 ? "%.2f" : v < 100 ? "%.1f" : "%.0f";
    return (b < 0 ? "-" : "") + String.format(Locale.ROOT, digits, v) + " " + BINARY[i];
  }

  public static long parseSize(String s) {
    String t = s.trim().toUpperCase(Locale.ROOT).replace("IB", "").replace("B", "");
    long mult = 1;
    if (!t.isEmpty()) {
      switch (t.charAt(t.length() - 1)) {
        case 'K' -> mult = 1L << 10;
        case 'M' -> mult = 1L << 20;
        case 'G' -> mult = 1L << 30;
        default -> { }
      }
    }
    if (mult != 1) {
      t = t.substring(0, t.length() - 1);
    }
    try {
      return Long.parseLong(t.trim()) * mult;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + s + "' is not a size (examples: 4096, 512KiB, 8MiB)");
    }
  }

  /**
   * A duration such as 90s, 15m, 24h or 7d (ms, s, m, h, d; seconds without a unit), as
   * settings and schedules give them; {@code what} names the setting in the error.
   */
  public static Duration parseDuration(String v, String what) {
    var m = java.util.regex.Pattern.compile("(\\d{1,9})(ms|s|m|h|d)?").matcher(v == null ? "" : v.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(what + " must be a duration such as 90s, 15m, 24h or 7d, not '" + v + "'");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    return switch (unit) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }

  public static String ratio(double r) {
    return Double.isFinite(r) ? String.format(Locale.ROOT, "%.2fx", r) : "n/a";
  }

  /** A clock for elapsed times and ETAs: 4:05, 1:02:03. */
  public static String duration(Duration d) {
    long s = d.toSeconds();
    return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }

  /** A span in words, to the two largest units: 45 s, 37 min, 1 h, 1 h 30 min, 2 d 4 h. */
  public static String span(Duration d) {
    long s = Math.max(0, d.toSeconds());
    if (s < 60) {
      return s + " s";
    }
    long m = s / 60;
    if (m < 60) {
      return m + " min";
    }
    long h = m / 60;
    if (h < 24) {
      return h + " h" + (m % 60 == 0 ? "" : " " + m % 60 + " min");
    }
    return h / 24 + " d" + (h % 24 == 0 ? "" : " " + h % 24 + " h");
  }
}
