package io.cairn.agent;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters a running backup or restore updates and a progress display polls. Totals come from
 * a concurrent scan and are final once {@link #totalsKnown()} is true.
 */
public final class Progress {
  public final AtomicLong bytesDone = new AtomicLong();
  public final AtomicLong filesDone = new AtomicLong();
  public final AtomicLong totalBytes = new AtomicLong();
  public final AtomicLong totalFiles = new AtomicLong();
  public final AtomicLong errors = new AtomicLong();
  private volatile boolean totalsKnown;
  private volatile boolean wantsTotals = true;

  /** False when nobody shows this progress: then no time is spent estimating the totals. */
  public boolean wantsTotals() {
    return wantsTotals;
  }

  public void wantsTotals(boolean v) {
    wantsTotals = v;
  }
  private volatile String current = "";

  public boolean totalsKnown() {
    return totalsKnown;
  }

  public void totalsKnown(boolean v) {
    totalsKnown = v;
  }

  public String current() {
    return current;
  }

  public void current(String s) {
    current = s;
  }
}
