package io.cairn.agent.service;

import io.cairn.agent.Backup;
import io.cairn.agent.BackupRequest;
import io.cairn.agent.BackupResult;
import io.cairn.agent.Progress;
import io.cairn.repository.Repository;
import io.cairn.repository.Snapshot;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The resident agent (docs/agent.md): runs each job of its configuration on its schedule, in
 * this process, so a backup starts warm (the repository open, its index mapped, the code
 * compiled) instead of paying a new JVM's start-up each time. One run per repository at a time:
 * runs for the same repository wait in line. A job whose previous run is still going when it is
 * due again is reported as skipped, not stacked. A failed run is tried again after {@code retry},
 * doubling up to the job's period. Every start and end is an event for the log, and the state
 * file keeps each job's last result and next run for {@code cairn agent status}.
 */
public final class AgentService {
  /** Opens the repository at a location; the service keeps it open between runs and closes it. */
  public interface Destinations {
    Repository open(String location);
  }

  /** Receives what happens, one event at a time (the CLI writes them as JSON lines). */
  public interface Events {
    void event(String kind, Map<String, Object> fields);
  }

  private final AgentConfig config;
  private final Destinations destinations;
  private final Clock clock;
  private final Events events;
  private final ZoneId zone;
  private final AgentState state;
  private final Map<String, Repository> open = new ConcurrentHashMap<>();
  private final Map<String, ExecutorService> lanes = new HashMap<>();
  private final Set<String> running = ConcurrentHashMap.newKeySet();
  /** Per job: when it is due next (schedule plus jitter), and the schedule's time it stands for. */
  private final Map<String, Instant[]> due = new ConcurrentHashMap<>();
  private final Object wake = new Object();
  private volatile boolean stopping;
  private final java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);

  public AgentService(AgentConfig config, Destinations destinations, Clock clock, ZoneId zone, Events events) {
    this.config = config;
    this.destinations = destinations;
    this.clock = clock;
    this.zone = zone;
    this.events = events;
    this.state = AgentState.load(config.stateDir());
  }

  public AgentState state() {
    return state;
  }

  /** Runs jobs until {@link #stop}; returns when the runs under way have finished. */
  public void run() {
    Instant now = clock.instant();
    for (AgentConfig.Job job : config.jobs()) {
      lanes.computeIfAbsent(job.repository(), r -> Executors.newSingleThreadExecutor(
          Thread.ofPlatform().name("cairn-agent-run").factory()));
      plan(job, state.job(job.name()).lastDue(), now);
    }
    event("agent.start", Map.of("jobs", config.jobs().stream().map(AgentConfig.Job::name).toList()));
    try {
      while (!stopping) {
        now = clock.instant();
        Instant next = null;
        for (AgentConfig.Job job : config.jobs()) {
          Instant[] d = due.get(job.name());
          if (!d[0].isAfter(now)) {
            dispatch(job, d[1], now);
            d = due.get(job.name());
          }
          next = next == null || d[0].isBefore(next) ? d[0] : next;
        }
        long waitMillis = Math.max(1, Duration.between(clock.instant(), next).toMillis());
        synchronized (wake) {
          if (!stopping) {
            wake.wait(Math.min(waitMillis, 60_000));
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      for (ExecutorService lane : lanes.values()) {
        lane.shutdown();
      }
      for (ExecutorService lane : lanes.values()) {
        try {
          lane.awaitTermination(1, TimeUnit.DAYS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      open.values().forEach(Repository::close);
      open.clear();
      event("agent.stop", Map.of());
      finished.countDown();
    }
  }

  /** Asks {@link #run} to start nothing more and return once the runs under way are done. */
  public void stop() {
    stopping = true;
    synchronized (wake) {
      wake.notifyAll();
    }
  }

  /**
   * Stops as {@link #stop} does and waits up to {@code limit} for {@link #run} to return (a
   * service manager's stop: the runs under way finish; one cut short commits nothing, and the
   * next start resumes it without uploading again what it stored).
   */
  public boolean stopAndWait(Duration limit) throws InterruptedException {
    stop();
    return finished.await(limit.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Sets when the job is due after one due at {@code lastDue}, with fresh jitter, and records it. */
  private void plan(AgentConfig.Job job, Instant lastDue, Instant now) {
    Instant base = job.schedule().nextDue(lastDue, now, zone);
    Instant at = base.isAfter(now) ? base.plus(job.schedule().randomJitter()) : now;
    due.put(job.name(), new Instant[] {at, base});
    state.put(job.name(), state.job(job.name()).withNextRun(at));
  }

  private void dispatch(AgentConfig.Job job, Instant scheduled, Instant now) {
    // A run that was due long ago (the machine slept, the agent was stopped) happens now, once:
    // the next one is planned from now, not from the missed time.
    Instant dueAt = scheduled.plus(job.schedule().jitter()).plusSeconds(60).isBefore(now) ? now : scheduled;
    if (!running.add(job.name())) {
      AgentState.JobState s = state.job(job.name());
      state.put(job.name(), new AgentState.JobState(dueAt, s.lastStart(), s.lastEnd(), "skipped",
          "the run due at " + dueAt + " was skipped: the run before was still going", s.snapshot(), s.files(),
          s.newFiles(), s.changedFiles(), s.newBytes(), s.durationMillis(), s.failuresInARow(), s.lastSuccess(),
          s.nextRun()));
      event("run.skipped", Map.of("job", job.name(), "due", dueAt.toString()));
      plan(job, dueAt, now);
      return;
    }
    plan(job, dueAt, now);
    lanes.get(job.repository()).submit(() -> runJob(job, dueAt));
  }

  private void runJob(AgentConfig.Job job, Instant dueAt) {
    Instant start = clock.instant();
    AgentState.JobState before = state.job(job.name());
    event("run.start", Map.of("job", job.name(), "due", dueAt.toString()));
    String result;
    String message = null;
    BackupResult r = null;
    try {
      Repository repo = open.computeIfAbsent(job.repository(), destinations::open);
      String host = config.host() != null ? config.host() : repo.options().host();
      List<Path> paths = job.paths().stream().map(Path::of).toList();
      Snapshot parent = Backup.latestOf(repo, host, paths);
      r = new Backup(repo, new BackupRequest(paths, job.exclude(), job.oneFileSystem(), job.tags(), host, parent, 0,
          null, 0), new Progress()).run();
      result = r.partial() ? "partial" : "ok";
      if (r.partial()) {
        message = r.errors().size() + " entries could not be read; the first: " + r.errors().getFirst();
      }
    } catch (RuntimeException | Error e) {
      result = "failed";
      message = e.getMessage() == null ? e.toString() : e.getMessage();
      // The next run opens the repository afresh: a server that restarted, a bucket that moved.
      Repository broken = open.remove(job.repository());
      if (broken != null) {
        broken.close();
      }
    }
    Instant end = clock.instant();
    boolean failed = result.equals("failed");
    int failures = failed ? before.failuresInARow() + 1 : 0;
    Instant next = due.get(job.name())[0];
    if (failed) {
      // Tried again soon, but never later than the schedule would run it anyway.
      Duration wait = config.retry().multipliedBy(1L << Math.min(20, failures - 1));
      Instant retry = end.plus(wait.compareTo(job.schedule().period()) < 0 ? wait : job.schedule().period());
      if (retry.isBefore(next)) {
        next = retry;
        due.put(job.name(), new Instant[] {retry, dueAt});
      }
    }
    state.put(job.name(), new AgentState.JobState(dueAt, start, end, result, message,
        r == null ? before.snapshot() : r.snapshot().hex(), r == null ? before.files() : r.summary().files(),
        r == null ? 0 : r.summary().newFiles(), r == null ? 0 : r.summary().changedFiles(),
        r == null ? 0 : r.summary().newLogicalBytes(), Duration.between(start, end).toMillis(), failures,
        failed ? before.lastSuccess() : end, next));
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("job", job.name());
    f.put("result", result);
    if (r != null) {
      f.put("snapshot", r.snapshot().hex());
      f.put("files", r.summary().files());
      f.put("newBytes", r.summary().newLogicalBytes());
    }
    if (message != null) {
      f.put("message", message);
    }
    f.put("seconds", Duration.between(start, end).toMillis() / 1000.0);
    f.put("next", next.toString());
    event("run.end", f);
    running.remove(job.name());
    synchronized (wake) {
      wake.notifyAll();
    }
  }

  private void event(String kind, Map<String, Object> fields) {
    try {
      events.event(kind, fields);
    } catch (RuntimeException e) {
      // a log that cannot be written does not stop backups
    }
  }
}
