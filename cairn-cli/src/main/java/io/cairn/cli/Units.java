package io.cairn.cli;

import java.time.Duration;
import java.util.Locale;

/** Human-readable sizes and parsing of sizes such as "512KiB", "4M" or "1G". */
final class Units {
  private Units() {}

  static String bytes(long b) {
    if (b < 1024) {
      return b + " B";
    }
    String[] u = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = b;
    int i = -1;
    while (v >= 1024 && i < u.length - 1) {
      v /= 1024;
      i++;
    }
    return String.format(Locale.ROOT, "%.2f %s", v, u[i]);
  }

  static long parseSize(String s) {
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

  static String ratio(double r) {
    return Double.isFinite(r) ? String.format(Locale.ROOT, "%.2fx", r) : "n/a";
  }

  static String duration(Duration d) {
    long s = d.toSeconds();
    return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
