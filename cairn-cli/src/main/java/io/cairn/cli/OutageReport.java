package io.cairn.cli;

import io.cairn.store.RetryingStore;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Says on standard error when a remote store stops answering and until when the command keeps
 * retrying, and when it answers again: once per outage, however many threads are waiting.
 */
final class OutageReport implements RetryingStore.Listener {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());
  private final PrintWriter err;
  private final AtomicBoolean down = new AtomicBoolean();

  OutageReport(PrintWriter err) {
    this.err = err;
  }

  @Override
  public void retrying(String location, String reason, Instant giveUpAt) {
    if (down.compareAndSet(false, true)) {
      synchronized (err) {
        err.println("\ncairn: " + location + " is not answering (" + reason + "); retrying until "
            + TIME.format(giveUpAt));
        err.flush();
      }
    }
  }

  @Override
  public void recovered(String location, int attempts) {
    if (down.compareAndSet(true, false)) {
      synchronized (err) {
        err.println("\ncairn: " + location + " is answering again");
        err.flush();
      }
    }
  }
}
