package io.cairn.cli;

import io.cairn.agent.Progress;
import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar with rate and ETA on stderr, fed by polling a {@link Progress}. Shown only on
 * a terminal; with {@code --json}, {@code --quiet} or output to a pipe it does nothing.
 */
final class ProgressDisplay implements AutoCloseable {
  private final ProgressBar bar;
  private final Thread poller;
  private final Progress progress;

  ProgressDisplay(String task, Progress progress, boolean enabled) {
    this.progress = progress;
    if (!enabled) {
      bar = null;
      poller = null;
      return;
    }
    bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(-1)
        .setUnit(" MiB", 1 << 20).showSpeed().setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
        .setUpdateIntervalMillis(250).continuousUpdate()
        .setConsumer(new ConsoleProgressBarConsumer(new PrintStream(System.err, true), 100))
        .build();
    poller = Thread.ofPlatform().daemon().name("cairn-progress").start(() -> {
      try {
        while (!Thread.currentThread().isInterrupted()) {
          update();
          Thread.sleep(200);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
  }

  private void update() {
    long total = progress.totalBytes.get();
    long done = progress.bytesDone.get();
    bar.maxHint(progress.totalsKnown() ? Math.max(total, done) : -1);
    bar.stepTo(done);
    String files = progress.filesDone.get() + (progress.totalsKnown() ? "/" + progress.totalFiles.get() : "")
        + " files";
    long errors = progress.errors.get();
    bar.setExtraMessage(" " + (errors > 0 ? files + ", " + errors + " errors" : files));
  }

  @Override
  public void close() {
    if (bar != null) {
      poller.interrupt();
      try {
        poller.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      update();
      bar.close();
    }
  }
}
