package io.cairn.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Retries a remote store's {@link TransientStoreException}s with exponential backoff and jitter,
 * for up to a time budget per operation; every other failure goes through at once. The one
 * retry policy of every remote store (a vault server, a bucket), whoever opens it.
 *
 * <p>Every operation of the contract is idempotent, with one subtlety: a put whose first attempt
 * did arrive but whose answer was lost is answered "exists" on the next attempt. A retried put
 * that finds the object therefore counts as this call's write when the object is the one it
 * sent: a content-addressed object (a pack, an index segment, a snapshot) is by its name, the
 * hash of its bytes, so nothing is read back; any other object is read back and compared.
 */
public final class RetryingStore extends ForwardingStore {
  /** Told when an operation starts retrying and when the store answers again. */
  public interface Listener {
    /** An attempt failed; the next one follows after a pause, until {@code giveUpAt}. */
    void retrying(String location, String reason, Instant giveUpAt);

    /** The store answered again after {@code attempts} failed attempts. */
    default void recovered(String location, int attempts) {}

    Listener NONE = (location, reason, giveUpAt) -> {};
  }

  /** How long to wait between attempts; replaced in tests. */
  interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  private static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(15);

  private final Duration retryFor;
  private final Listener listener;
  private final Clock clock;
  private final Sleeper sleeper;
  private final AtomicInteger spoolCopies = new AtomicInteger();

  public RetryingStore(BlobStore delegate, Duration retryFor, Listener listener) {
    this(delegate, retryFor, listener, Clock.systemUTC(), d -> Thread.sleep(d));
  }

  RetryingStore(BlobStore delegate, Duration retryFor, Listener listener, Clock clock, Sleeper sleeper) {
    if (retryFor.isNegative()) {
      throw new IllegalArgumentException("the retry budget must not be negative, not " + retryFor);
    }
    super(delegate);
    this.retryFor = retryFor;
    this.listener = listener;
    this.clock = clock;
    this.sleeper = sleeper;
  }

  /** Whether an operation needed more than one attempt. */
  private static final class Attempts {
    int failed;
  }

  private <T> T run(String key, Attempts attempts, Supplier<T> op) {
    Instant giveUpAt = clock.instant().plus(retryFor);
    Duration backoff = FIRST_BACKOFF;
    while (true) {
      try {
        T result = op.get();
        if (attempts.failed > 0) {
          listener.recovered(inner.location(), attempts.failed);
        }
        return result;
      } catch (TransientStoreException e) {
        Duration pause = backoff.plusMillis(ThreadLocalRandom.current().nextLong(backoff.toMillis() / 2 + 1));
        if (clock.instant().plus(pause).isAfter(giveUpAt)) {
          throw new StoreUnavailableException(key, inner.location() + " did not answer within "
              + retryFor.toSeconds() + " s (last: " + e.reason() + "); run the command again once it is reachable: "
              + "a backup resumes where it stopped", e);
        }
        attempts.failed++;
        listener.retrying(inner.location(), e.reason(), giveUpAt);
        try {
          sleeper.sleep(pause);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          StoreException out = new StoreException(key, "interrupted while waiting to retry", ie);
          out.addSuppressed(e);
          throw out;
        }
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
      }
    }
  }

  @Override
  public boolean putIfAbsent(String key, byte[] data) {
    return putIfAbsent(key, data, data.length);
  }

  @Override
  public boolean putIfAbsent(String key, byte[] data, int length) {
    Attempts a = new Attempts();
    boolean created = run(key, a, () -> inner.putIfAbsent(key, data, length));
    return created || a.failed > 0 && ours(key, () -> length == data.length ? data : Arrays.copyOf(data, length));
  }

  /** Each attempt stores its own link to (or copy of) the file, which the delegate consumes. */
  @Override
  public boolean putIfAbsent(String key, Path file) {
    try {
      Attempts a = new Attempts();
      boolean created = run(key, a, () -> inner.putIfAbsent(key, attemptCopy(key, file)));
      return created || a.failed > 0 && ours(key, () -> {
        try {
          return Files.readAllBytes(file);
        } catch (IOException e) {
          throw new StoreException(key, "cannot read back " + file + ": " + e.getMessage(), e);
        }
      });
    } finally {
      try {
        Files.deleteIfExists(file);
      } catch (IOException ignored) {
        // a leftover spool file is never read, and the store's scratch cleanup finds it
      }
    }
  }

  private Path attemptCopy(String key, Path file) {
    Path attempt = file.resolveSibling(file.getFileName() + "." + spoolCopies.incrementAndGet());
    try {
      try {
        return Files.createLink(attempt, file);
      } catch (UnsupportedOperationException | IOException e) {
        return Files.copy(file, attempt);
      }
    } catch (IOException e) {
      throw new StoreException(key, "cannot prepare " + file + " for upload: " + e.getMessage(), e);
    }
  }

  private boolean ours(String key, Supplier<byte[]> sent) {
    // Found under its name, a content-addressed object holds exactly the bytes sent: a pack is
    // neither downloaded nor read from its spool file into the heap to compare.
    return StoreKeys.isContentAddressed(key) || Arrays.equals(get(key), sent.get());
  }

  @Override
  public byte[] get(String key) {
    return run(key, new Attempts(), () -> inner.get(key));
  }

  @Override
  public byte[] getRange(String key, long offset, int length) {
    return run(key, new Attempts(), () -> inner.getRange(key, offset, length));
  }

  @Override
  public void readRange(String key, long offset, ByteBuffer dst) {
    int start = dst.position();
    run(key, new Attempts(), () -> {
      dst.position(start);
      inner.readRange(key, offset, dst);
      return null;
    });
  }

  @Override
  public Optional<Long> size(String key) {
    return run(key, new Attempts(), () -> inner.size(key));
  }

  @Override
  public List<StoreEntry> list(String prefix) {
    return run(prefix, new Attempts(), () -> inner.list(prefix));
  }

  @Override
  public boolean delete(String key) {
    // Looked up first: after a lost answer the retry would find nothing and say "did not exist".
    if (size(key).isEmpty()) {
      return false;
    }
    Attempts a = new Attempts();
    boolean removed = run(key, a, () -> inner.delete(key));
    return removed || a.failed > 0;
  }

  @Override
  public Optional<Instant> lockedUntil(String key) {
    return run(key, new Attempts(), () -> inner.lockedUntil(key));
  }

  @Override
  public boolean lockUntil(String key, Instant until) {
    return run(key, new Attempts(), () -> inner.lockUntil(key, until));
  }

  @Override
  public void init() {
    run("", new Attempts(), () -> {
      inner.init();
      return null;
    });
  }
}
