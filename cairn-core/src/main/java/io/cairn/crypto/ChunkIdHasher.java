package io.cairn.crypto;

import io.cairn.format.Id;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keyed blob ids: HMAC-SHA-256 of the plaintext under a repository key, so that someone
 * without the key cannot test whether a known file is stored. Thread-safe.
 */
public final class ChunkIdHasher {
  private final SecretKeySpec key;
  private final ThreadLocal<Mac> macs;
  /** The key for libcrypto when it is there (see {@link NativeCrypto}); then {@link #macs} is unused. */
  private final NativeCrypto.HmacKey nativeKey;

  ChunkIdHasher(byte[] key) {
    this(key, NativeCrypto.available());
  }

  /** With {@code nativeCrypto} false, the JDK's provider even where libcrypto is there (for tests). */
  ChunkIdHasher(byte[] key, boolean nativeCrypto) {
    this.key = new SecretKeySpec(key, "HmacSHA256");
    this.macs = ThreadLocal.withInitial(this::newMac);
    this.nativeKey = nativeCrypto ? new NativeCrypto.HmacKey(key) : null;
  }

  private Mac newMac() {
    try {
      Mac m = Mac.getInstance("HmacSHA256", "SunJCE");
      m.init(key);
      return m;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  /** Ids of all-zero blobs by length: holes repeat the same chunk many times over. */
  private final java.util.concurrent.ConcurrentHashMap<Integer, Id> zeroIds =
      new java.util.concurrent.ConcurrentHashMap<>();

  public Id id(byte[] data, int off, int len) {
    if (len >= 4096 && io.cairn.format.ZeroRuns.allZero(data, off, len)) {
      Id z = zeroIds.get(len);
      if (z == null) {
        z = mac(data, off, len);
        if (zeroIds.size() < 64) {
          zeroIds.putIfAbsent(len, z);
        }
      }
      return z;
    }
    return mac(data, off, len);
  }

  /** The HMAC itself, without the zero-blob cache. */
  Id mac(byte[] data, int off, int len) {
    if (nativeKey != null) {
      byte[] out = new byte[Id.LENGTH];
      NativeCrypto.hmac(nativeKey, data, off, len, out);
      return Id.of(out);
    }
    Mac m = macs.get();
    m.update(data, off, len);
    return Id.of(m.doFinal());
  }

  /** The id of the bytes between {@code data}'s position and limit (a direct buffer of the backup pipeline). */
  public Id id(java.nio.ByteBuffer data) {
    if (nativeKey != null && data.isDirect()) {
      byte[] out = new byte[Id.LENGTH];
      NativeCrypto.hmac(nativeKey, java.lang.foreign.MemorySegment.ofBuffer(data), out);
      return Id.of(out);
    }
    if (nativeKey != null) {
      return mac(data.array(), data.arrayOffset() + data.position(), data.remaining());
    }
    Mac m = macs.get();
    m.update(data.duplicate());
    return Id.of(m.doFinal());
  }

  public Id id(byte[] data) {
    return id(data, 0, data.length);
  }

  /** A hex tag for a value, used where equality must be visible but the value must not. */
  public String tag(byte[] value) {
    return id(value).hex();
  }
}
