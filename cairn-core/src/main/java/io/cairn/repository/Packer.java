package io.cairn.repository;

import io.cairn.format.BlobType;
import io.cairn.format.Id;
import io.cairn.format.PackEntry;
import io.cairn.format.PackFormat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Collects sealed blobs of one type into a pack (sessions, and repacking without a key). Not thread-safe. */
public final class Packer {
  private final BlobType type;
  private byte[] buf;
  private int len;
  private final List<PackEntry> entries = new ArrayList<>();
  private long plaintextBytes;

  public Packer(BlobType type, int capacity) {
    this(type, capacity, null);
  }

  /** As {@link #Packer(BlobType, int)}, building in {@code reuse} when it is large enough. */
  public Packer(BlobType type, int capacity, byte[] reuse) {
    this.type = type;
    int cap = Math.max(capacity, 1 << 16);
    this.buf = reuse != null && reuse.length >= cap ? reuse : new byte[cap];
    byte[] pre = PackFormat.preamble();
    System.arraycopy(pre, 0, buf, 0, pre.length);
    len = pre.length;
  }

  BlobType type() {
    return type;
  }

  public int size() {
    return len;
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  public PackEntry add(Id id, byte[] ciphertext, int plaintextLength) {
    if (len + ciphertext.length > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + ciphertext.length));
    }
    System.arraycopy(ciphertext, 0, buf, len, ciphertext.length);
    PackEntry e = new PackEntry(type, id, len, ciphertext.length);
    entries.add(e);
    len += ciphertext.length;
    plaintextBytes += plaintextLength;
    return e;
  }

  /**
   * A finished pack: the first {@link #length()} bytes of the build buffer, which it now owns.
   * Its name (the SHA-256 of those bytes) is computed on first use, by the thread that stores
   * it, not under the lock that {@link #finish} is called with.
   */
  public static final class Finished {
    private byte[] buffer;
    private final int length;
    private final List<PackEntry> entries;
    private final long plaintextBytes;
    private Id id;

    Finished(byte[] buffer, int length, List<PackEntry> entries, long plaintextBytes) {
      this.buffer = buffer;
      this.length = length;
      this.entries = entries;
      this.plaintextBytes = plaintextBytes;
    }

    public synchronized Id id() {
      if (id == null) {
        id = Id.of(io.cairn.crypto.Sha256.digest(buffer, 0, length));
      }
      return id;
    }

    /** Stores the pack under its name, unless it is there already; true when this call wrote it. */
    public boolean putTo(io.cairn.store.BlobStore store) {
      return store.putIfAbsent(io.cairn.store.StoreKeys.pack(id()), buffer, length);
    }

    public List<PackEntry> entries() {
      return entries;
    }

    public long plaintextBytes() {
      return plaintextBytes;
    }

    /** The build buffer, for the next packer, once the pack is stored; this object is spent afterwards. */
    synchronized byte[] release() {
      id();
      byte[] b = buffer;
      buffer = null;
      return b;
    }
  }

  /**
   * Appends the header and trailer in the build buffer itself: a pack is never copied, and a
   * session reuses the buffer for its next pack ({@link Finished#release}).
   */
  public Finished finish() {
    byte[] tail = PackFormat.headerAndTrailer(entries);
    if (len + tail.length > buf.length) {
      buf = Arrays.copyOf(buf, len + tail.length);
    }
    System.arraycopy(tail, 0, buf, len, tail.length);
    Finished f = new Finished(buf, len + tail.length, List.copyOf(entries), plaintextBytes);
    buf = null;
    return f;
  }
}
