package io.cairn.trace;

import java.lang.management.ManagementFactory;

/**
 * Phase timings on standard error when {@code CAIRN_TRACE=1}: milliseconds since the JVM
 * started, the heap in use and committed, and the direct buffers allocated, for finding where
 * a command's time and memory go without a profiler. A line marked {@code tick} follows every
 * second.
 */
public final class Trace {
  private static final boolean ON = "1".equals(System.getenv("CAIRN_TRACE"));

  static {
    if (ON) {
      Thread.ofPlatform().daemon().name("cairn-trace").start(() -> {
        while (true) {
          try {
            Thread.sleep(1000);
          } catch (InterruptedException e) {
            return;
          }
          mark("tick");
        }
      });
    }
  }

  private Trace() {}

  public static void mark(String phase) {
    if (ON) {
      long ms = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
      long direct = 0;
      for (java.lang.management.BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class)) {
        if (b.getName().equals("direct")) {
          direct = b.getMemoryUsed();
        }
      }
      Runtime rt = Runtime.getRuntime();
      System.err.printf("[trace] %6d ms  heap %4d MiB used of %4d  direct %4d MiB  %s%n", ms,
          (rt.totalMemory() - rt.freeMemory()) >> 20, rt.totalMemory() >> 20, direct >> 20, phase);
    }
  }
}
