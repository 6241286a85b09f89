package io.cairn.agent;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * Memory for the chunks a backup has read but not yet stored: one direct buffer used as a ring.
 * The reader copies each chunk into the next free stretch ({@link #acquire}, which waits while
 * the ring is full) and the chunk worker gives it back once the chunk is sealed ({@link
 * Slot#release}). Chunks are given back in any order; space is reused in the order it was
 * taken, so a slow chunk holds back the space after it until it is done.
 *
 * <p>Why a ring: chunks in fresh arrays cost the heap their whole volume as garbage, and a
 * collector that meets them in flight promotes them; in the ring they cost nothing per chunk,
 * and zstd and the hash read them where they are. Thread-safe.
 */
final class ChunkRing {
  /** Allocated by the first chunk: a backup that reads nothing (nothing changed) costs nothing. */
  private ByteBuffer ring;
  private final int capacity;
  /** Positions count bytes taken since the start, not modulo the capacity. */
  private long head;
  private long tail;
  private final ArrayDeque<Slot> taken = new ArrayDeque<>();

  ChunkRing(int capacity) {
    this.capacity = capacity;
  }

  /** A stretch of the ring holding a chunk. */
  final class Slot {
    private final long start;
    private final long end;
    private final ByteBuffer buffer;
    private boolean released;

    private Slot(long start, int len) {
      this.start = start;
      this.end = start + len;
      int at = (int) (start % capacity);
      this.buffer = ring.duplicate().limit(at + len).position(at);
    }

    /** The chunk's bytes, between position and limit; callers read it through duplicates or absolute gets. */
    ByteBuffer buffer() {
      return buffer;
    }

    /** Gives the stretch back; calling it again does nothing. */
    void release() {
      ChunkRing.this.release(this);
    }
  }

  /**
   * Takes {@code len} bytes of the ring, with {@code data[off, off+len)} copied in, waiting while
   * there is no room.
   */
  Slot acquire(byte[] data, int off, int len) throws InterruptedException {
    if (len > capacity || len < 0) {
      throw new IllegalArgumentException("a chunk of " + len + " bytes does not fit a ring of " + capacity);
    }
    Slot s;
    synchronized (this) {
      if (ring == null) {
        ring = ByteBuffer.allocateDirect(capacity);
      }
      while (true) {
        long start = head;
        int at = (int) (start % capacity);
        if (at + len > capacity) {
          start += capacity - at; // no room before the end: the chunk starts over at the beginning
        }
        if (start + len - tail <= capacity) {
          s = new Slot(start, len);
          head = start + len;
          taken.addLast(s);
          break;
        }
        wait();
      }
    }
    // Copied outside the lock: the stretch is this caller's alone.
    s.buffer.put(s.buffer.position(), data, off, len);
    return s;
  }

  private synchronized void release(Slot s) {
    if (s.released) {
      return;
    }
    s.released = true;
    boolean freed = false;
    while (!taken.isEmpty() && taken.peekFirst().released) {
      tail = taken.removeFirst().end;
      freed = true;
    }
    if (taken.isEmpty()) {
      // Nothing in use: start again at the beginning, so that no chunk has to wrap.
      head = tail = 0;
    }
    if (freed) {
      notifyAll();
    }
  }

  /** Bytes taken and not yet given back in order, with any stretch skipped at the end; for tests. */
  synchronized long inUse() {
    return head - tail;
  }
}
