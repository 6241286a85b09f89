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
    this.type = type;
    this.buf = new byte[Math.max(capacity, 1 << 16)];
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
  public record Finished(Id id, byte[] bytes, List<PackEntry> entries, long plaintextBytes) {}

  public Finished finish() {
    byte[] tail = PackFormat.headerAndTrailer(entries);
    byte[] out = Arrays.copyOf(buf, len + tail.length);
    System.arraycopy(tail, 0, out, len, tail.length);
    return new Finished(Id.of(sha256(out)), out, List.copyOf(entries), plaintextBytes);
  }

  public static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
