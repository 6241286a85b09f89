package io.cairn.format;

import java.lang.management.ManagementFactory;

/**
 * Phase timings on standard error when {@code CAIRN_TRACE=1}: milliseconds since the JVM
 * started, for finding where a command's time goes without a profiler.
 */
public final class Trace {
  private static final boolean ON = "1".equals(System.getenv("CAIRN_TRACE"));

  private Trace() {}

  public static void mark(String phase) {
    if (ON) {
      long ms = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
      System.err.printf("[trace] %6d ms  %s%n", ms, phase);
    }
  }
}
