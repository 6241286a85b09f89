package io.cairn.repository;

import io.cairn.format.BlobType;
import io.cairn.format.Id;
import io.cairn.format.PackEntry;
import io.cairn.format.PackFormat;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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

  /** The finished pack: bytes, name (SHA-256 of the bytes) and entries. */
  /**
   * A finished pack. Its name (the SHA-256 of its bytes) is computed on first use, by the thread
   * that stores it, not under the lock that {@link #finish} is called with.
   */
  public static final class Finished {
    private final byte[] bytes;
    private final List<PackEntry> entries;
    private final long plaintextBytes;
    private Id id;

    Finished(byte[] bytes, List<PackEntry> entries, long plaintextBytes) {
      this.bytes = bytes;
      this.entries = entries;
      this.plaintextBytes = plaintextBytes;
    }

    public synchronized Id id() {
      if (id == null) {
        id = Id.of(sha256(bytes));
      }
      return id;
    }

    public byte[] bytes() {
      return bytes;
    }

    public List<PackEntry> entries() {
      return entries;
    }

    public long plaintextBytes() {
      return plaintextBytes;
    }
  }

  public Finished finish() {
    byte[] tail = PackFormat.headerAndTrailer(entries);
    byte[] out = Arrays.copyOf(buf, len + tail.length);
    System.arraycopy(tail, 0, out, len, tail.length);
    return new Finished(out, List.copyOf(entries), plaintextBytes);
  }

  /** The build buffer, for the next packer, once this one is finished and will not be used again. */
  byte[] takeBuffer() {
    byte[] b = buf;
    buf = null;
    return b;
  }

  public static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
