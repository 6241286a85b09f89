package io.cairn.store;

import io.cairn.format.ObjectNotFoundException;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A {@link BlobStore} decorator for tests that injects the faults real stores show: a full
 * disk, bit rot, truncated objects and lost objects. With no fault configured it passes every
 * call through unchanged. Faults are set with a fluent API and can be changed at any time (also
 * while other threads use the store); {@link #heal()} removes them all.
 *
 * <pre>{@code
 * FaultInjectingStore store = FaultInjectingStore.wrap(new FileSystemStore(dir))
 *     .failPutsAfter(1 << 20)                       // 1 MiB of free space, then ENOSPC
 *     .flipBit(key -> key.startsWith("data/"))      // every read of a pack has one bit flipped
 *     .hide(key -> key.equals("config"));           // the config object looks missing
 * }</pre>
 */
public final class FaultInjectingStore implements BlobStore {
  private static final Predicate<String> NONE = key -> false;

  private final BlobStore delegate;
  private final AtomicInteger faultsInjected = new AtomicInteger();
  private long spaceLeft = Long.MAX_VALUE;
  private volatile Predicate<String> flipBit = NONE;
  private volatile Predicate<String> truncate = NONE;
  private volatile long truncatedLength;
  private volatile Predicate<String> hide = NONE;
  private volatile double flakyFraction;
  private volatile double stallFraction;
  private volatile java.time.Duration stall = java.time.Duration.ZERO;
  private java.util.Random flakyRandom = new java.util.Random(0);

  private FaultInjectingStore(BlobStore delegate) {
    this.delegate = delegate;
  }

  /** A pass-through decorator around {@code delegate}. */
  public static FaultInjectingStore wrap(BlobStore delegate) {
    return new FaultInjectingStore(delegate);
  }

  /** The wrapped store, to check what is really stored underneath the faults. */
  public BlobStore delegate() {
    return delegate;
  }

  /**
   * Simulates a disk with {@code bytes} bytes free: a put that fits is stored and uses up space;
   * a put that does not fit fails with a {@link StoreException} saying "No space left on device"
   * and stores nothing (unless the key already exists: then it returns false, as a real store
   * checks that before writing).
   */
  public synchronized FaultInjectingStore failPutsAfter(long bytes) {
    spaceLeft = bytes;
    return this;
  }

  /**
   * Flips one bit (the lowest bit of the middle byte) in everything {@link #get} and
   * {@link #getRange} return for matching keys, the way bit rot would.
   */
  public FaultInjectingStore flipBit(Predicate<String> keys) {
    flipBit = keys;
    return this;
  }

  /**
   * Makes matching objects look cut off after {@code length} bytes, as after a crash of a store
   * without atomic writes: reads, sizes and listings all see the shorter object, and ranges
   * beyond it fail.
   */
  public FaultInjectingStore truncate(Predicate<String> keys, long length) {
    if (length < 0 || length > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("truncated length out of range: " + length);
    }
    truncatedLength = length;
    truncate = keys;
    return this;
  }

  /**
   * Makes matching objects look missing to reads, {@link #size}, {@link #list} and
   * {@link #delete}, as if lost. Puts still reach the wrapped store.
   */
  public FaultInjectingStore hide(Predicate<String> keys) {
    hide = keys;
    return this;
  }

  /**
   * Makes calls fail with a {@link TransientStoreException}, as an object store answering 500 or
   * 503 would: each call fails before it reaches the wrapped store with probability {@code
   * fraction / 2}, and a write (put, delete) fails as often again after it (the work done, the
   * answer lost), so a retried put finds its own object. About {@code fraction} of the writes and
   * half as many of the reads fail.
   */
  public synchronized FaultInjectingStore flaky(double fraction, long seed) {
    flakyFraction = fraction;
    flakyRandom = new java.util.Random(seed);
    return this;
  }

  /** Makes about {@code fraction} of all calls wait {@code pause} first, as a slow object store would. */
  public FaultInjectingStore stall(double fraction, java.time.Duration pause) {
    stall = pause;
    stallFraction = fraction;
    return this;
  }

  /** Throws a transient failure with probability half the configured fraction, at this point of a call. */
  private void flake(String key, boolean after) {
    if (!after && stallFraction > 0) {
      boolean wait;
      synchronized (this) {
        wait = flakyRandom.nextDouble() < stallFraction;
      }
      if (wait) {
        faultsInjected.incrementAndGet();
        try {
          Thread.sleep(stall);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    if (flakyFraction == 0) {
      return;
    }
    boolean fail;
    synchronized (this) {
      fail = flakyRandom.nextDouble() < flakyFraction / 2;
    }
    if (fail) {
      faultsInjected.incrementAndGet();
      throw new TransientStoreException(key, after ? "HTTP 500 after the work was done (injected)"
          : "HTTP 503 (injected)", null);
    }
  }

  /** Removes every fault; the store passes calls through again. */
  public synchronized FaultInjectingStore heal() {
    spaceLeft = Long.MAX_VALUE;
    flipBit = NONE;
    truncate = NONE;
    hide = NONE;
    flakyFraction = 0;
    stallFraction = 0;
    return this;
  }

  /** How many calls a fault has affected so far, so a test can check its fault was hit. */
  public int faultsInjected() {
    return faultsInjected.get();
  }

  @Override
  public boolean putIfAbsent(String key, byte[] data) {
    flake(StoreKeys.check(key), false);
    if (!reserve(data.length)) {
      if (delegate.size(key).isPresent()) {
        return false;
      }
      faultsInjected.incrementAndGet();
      throw new StoreException(key, "No space left on device (injected by FaultInjectingStore)",
          new IOException("No space left on device"));
    }
    boolean wrote = false;
    try {
      wrote = delegate.putIfAbsent(key, data);
      flake(key, true);
      return wrote;
    } finally {
      if (!wrote) {
        release(data.length);
      }
    }
  }

  private synchronized boolean reserve(long n) {
    if (spaceLeft == Long.MAX_VALUE) {
      return true;
    }
    if (n > spaceLeft) {
      return false;
    }
    spaceLeft -= n;
    return true;
  }

  private synchronized void release(long n) {
    if (spaceLeft != Long.MAX_VALUE) {
      spaceLeft += n;
    }
  }

  @Override
  public byte[] get(String key) {
    checkVisible(key);
    flake(key, false);
    byte[] data = delegate.get(key);
    if (truncate.test(key) && data.length > truncatedLength) {
      faultsInjected.incrementAndGet();
      data = Arrays.copyOf(data, (int) truncatedLength);
    }
    return maybeFlip(key, data);
  }

  @Override
  public byte[] getRange(String key, long offset, int length) {
    checkVisible(key);
    flake(key, false);
    if (truncate.test(key) && offset + length > truncatedLength
        && delegate.size(key).orElse(0L) > truncatedLength) {
      faultsInjected.incrementAndGet();
      throw new StoreException(key, "range " + offset + "+" + length + " is beyond the end ("
          + truncatedLength + " bytes); the object is truncated (injected by FaultInjectingStore)", null);
    }
    return maybeFlip(key, delegate.getRange(key, offset, length));
  }

  @Override
  public Optional<Long> size(String key) {
    if (hidden(key)) {
      return Optional.empty();
    }
    flake(key, false);
    return delegate.size(key).map(s -> truncate.test(key) ? Math.min(s, truncatedLength) : s);
  }

  @Override
  public List<StoreEntry> list(String prefix) {
    flake(StoreKeys.checkPrefix(prefix), false);
    return delegate.list(prefix).stream()
        .filter(e -> !hidden(e.key()))
        .map(e -> truncate.test(e.key()) && e.size() > truncatedLength
            ? new StoreEntry(e.key(), truncatedLength) : e)
        .toList();
  }

  @Override
  public boolean delete(String key) {
    if (hidden(key)) {
      return false;
    }
    flake(key, false);
    boolean removed = delegate.delete(key);
    flake(key, true);
    return removed;
  }

  @Override
  public void init() {
    delegate.init();
  }

  @Override
  public Optional<java.time.Instant> lockedUntil(String key) {
    flake(key, false);
    return delegate.lockedUntil(key);
  }

  @Override
  public boolean lockUntil(String key, java.time.Instant until) {
    flake(key, false);
    return delegate.lockUntil(key, until);
  }

  @Override
  public boolean remote() {
    return delegate.remote();
  }

  @Override
  public String location() {
    return delegate.location() + " (fault-injecting)";
  }

  @Override
  public void close() {
    delegate.close();
  }

  private boolean hidden(String key) {
    if (hide.test(StoreKeys.check(key))) {
      faultsInjected.incrementAndGet();
      return true;
    }
    return false;
  }

  private void checkVisible(String key) {
    if (hidden(key)) {
      throw new ObjectNotFoundException(key, "missing (hidden by FaultInjectingStore)");
    }
  }

  private byte[] maybeFlip(String key, byte[] data) {
    if (data.length == 0 || !flipBit.test(key)) {
      return data;
    }
    faultsInjected.incrementAndGet();
    // A copy, in case the wrapped store hands out an array it keeps.
    byte[] flipped = data.clone();
    flipped[flipped.length / 2] ^= 1;
    return flipped;
  }
}
