package io.cairn.crypto;

import io.cairn.format.BlobType;
import io.cairn.format.CorruptObjectException;
import io.cairn.format.Id;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM envelope for blobs and sealed objects: {@code nonce[12] | ciphertext | tag[16]},
 * with the blob type and id as associated data so a blob cannot be moved to another id.
 * Large inputs are fed in 64 KiB slices: the JIT-compiled GCM path is much faster on those
 * than on one huge {@code doFinal}.
 */
public final class BlobCipher {
  public static final int NONCE = 12;
  public static final int TAG = 16;
  public static final int OVERHEAD = NONCE + TAG;
  private static final int SLICE = 64 * 1024;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKey key;
  private final ThreadLocal<Cipher> ciphers = ThreadLocal.withInitial(BlobCipher::newCipher);
  /** libcrypto contexts, one per thread, when the library is there (see {@link NativeCrypto}). */
  private final ThreadLocal<NativeCrypto.Gcm> natives;

  BlobCipher(byte[] key) {
    this(key, NativeCrypto.available());
  }

  /** With {@code nativeCrypto} false, the JDK's provider even where libcrypto is there (for tests). */
  BlobCipher(byte[] key, boolean nativeCrypto) {
    this.key = new SecretKeySpec(key, "AES");
    byte[] k = key.clone();
    this.natives = nativeCrypto ? ThreadLocal.withInitial(() -> new NativeCrypto.Gcm(k)) : null;
  }

  /**
   * The JDK's own AES-GCM (SunJCE), named: once {@link TlsCrypto} puts another provider first for
   * TLS, the first provider's would differ in what it accepts (in-place updates with exact
   * output room), and the repository's envelopes keep the implementation they were tested with.
   */
  private static Cipher newCipher() {
    try {
      return Cipher.getInstance("AES/GCM/NoPadding", "SunJCE");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
  }

  private static final String AUTH_FAILED =
      "authentication failed: the data was altered or belongs to another repository";

  public static byte[] blobAad(BlobType type, Id id) {
    byte[] aad = new byte[1 + Id.LENGTH];
    aad[0] = (byte) type.code();
    id.copyTo(aad, 1);
    return aad;
  }

  /**
   * Starts {@link #warmUp} on a background thread when the JDK's GCM is in use; with libcrypto,
   * which runs at full speed from the first call, it does nothing.
   */
  public static void warmUpInBackground() {
    if (!NativeCrypto.available()) {
      Thread.ofPlatform().daemon().name("cairn-warm-up").start(BlobCipher::warmUp);
    }
  }

  /**
   * Runs a few thousand small encryptions so that the JIT compiles the GCM code with its CPU
   * intrinsics before the first large blob; otherwise the first hundred megabytes or so go
   * through the interpreted GHASH at a few percent of the final speed.
   */
  static void warmUp() {
    BlobCipher c = new BlobCipher(new byte[32]);
    byte[] data = new byte[4096];
    byte[] aad = new byte[1];
    for (int i = 0; i < 20_000; i++) {
      byte[] ct = c.encrypt(aad, new byte[0], data, 0, data.length);
      if (i % 2 == 0) {
        c.decrypt(aad, ct, 0, ct.length, "warm-up");
      }
    }
  }

  /** Encrypts {@code header} followed by {@code data[off, off+len)}. */
  public byte[] encrypt(byte[] aad, byte[] header, byte[] data, int off, int len) {
    byte[] nonce = nonce();
    byte[] out = new byte[NONCE + header.length + len + TAG];
    System.arraycopy(nonce, 0, out, 0, NONCE);
    if (natives != null) {
      natives.get().seal(aad, header, data, off, len, out);
      return out;
    }
    try {
      Cipher c = jdkEncryptor(aad, nonce);
      int o = NONCE;
      if (header.length > 0) {
        o += c.update(header, 0, header.length, out, o);
      }
      int p = off;
      int end = off + len;
      while (end - p > SLICE) {
        o += c.update(data, p, SLICE, out, o);
        p += SLICE;
      }
      o += c.doFinal(data, p, end - p, out, o);
      if (o != out.length) {
        throw new IllegalStateException("unexpected ciphertext length");
      }
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e);
    }
  }

  private static byte[] nonce() {
    byte[] nonce = new byte[NONCE];
    RANDOM.nextBytes(nonce);
    return nonce;
  }

  /** This thread's JDK cipher, set up to encrypt under {@code nonce} with {@code aad} fed in. */
  private Cipher jdkEncryptor(byte[] aad, byte[] nonce) throws GeneralSecurityException {
    Cipher c = ciphers.get();
    c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG * 8, nonce));
    c.updateAAD(aad);
    return c;
  }

  /**
   * Encrypts in place, into the envelope format of {@link #encrypt}: {@code env} (a direct
   * buffer) holds the plaintext at {@code [12, 12 + bodyLen)} and has room for the tag after it;
   * the nonce is written at {@code [0, 12)}. Returns the envelope's length. A blob is sealed
   * where it was compressed, without a new array for each.
   */
  public int sealInPlace(byte[] aad, java.nio.ByteBuffer env, int bodyLen) {
    int total = NONCE + bodyLen + TAG;
    if (!env.isDirect() || bodyLen < 0 || env.capacity() < total) {
      throw new IllegalArgumentException("a direct buffer of at least " + total + " bytes is needed");
    }
    byte[] nonce = nonce();
    env.put(0, nonce);
    if (natives != null) {
      natives.get().sealInPlace(aad, java.lang.foreign.MemorySegment.ofBuffer(env), bodyLen);
      return total;
    }
    try {
      Cipher c = jdkEncryptor(aad, nonce);
      // Slices as in encrypt(); the JDK's GCM detects that input and output are the same memory.
      int p = NONCE;
      int end = NONCE + bodyLen;
      while (end - p > SLICE) {
        c.update(env.duplicate().limit(p + SLICE).position(p), env.duplicate().limit(p + SLICE).position(p));
        p += SLICE;
      }
      int o = c.doFinal(env.duplicate().limit(end).position(p), env.duplicate().limit(total).position(p));
      if (p + o != total) {
        throw new IllegalStateException("unexpected ciphertext length");
      }
      return total;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e);
    }
  }

  /**
   * Decrypts and authenticates the envelope in {@code env[0, len)} (a direct buffer) where it
   * lies: the plaintext, {@code len - 28} bytes, takes the ciphertext's place from offset 12 on.
   * A blob is opened where it was read, without a new array for it.
   *
   * @throws CorruptObjectException when the envelope is too short or fails authentication; the
   *     buffer then holds nothing usable
   */
  public int openInPlace(byte[] aad, java.nio.ByteBuffer env, int len, String resource) {
    if (!env.isDirect() || len > env.capacity()) {
      throw new IllegalArgumentException("a direct buffer of at least " + len + " bytes is needed");
    }
    if (len < OVERHEAD) {
      throw new CorruptObjectException(resource, "ciphertext of " + len + " bytes is too short");
    }
    if (natives != null) {
      if (!natives.get().openInPlace(aad, java.lang.foreign.MemorySegment.ofBuffer(env.duplicate().clear()), len)) {
        throw new CorruptObjectException(resource, AUTH_FAILED);
      }
    } else {
      // Without libcrypto (rare, and slow anyway): through the array path.
      byte[] ct = new byte[len];
      env.get(0, ct);
      env.put(NONCE, decrypt(aad, ct, 0, len, resource));
    }
    return len - OVERHEAD;
  }

  /**
   * Decrypts and authenticates an envelope.
   *
   * @throws CorruptObjectException when the envelope is too short or fails authentication
   */
  public byte[] decrypt(byte[] aad, byte[] env, int off, int len, String resource) {
    if (len < OVERHEAD) {
      throw new CorruptObjectException(resource, "ciphertext of " + len + " bytes is too short");
    }
    byte[] out = new byte[len - OVERHEAD];
    if (natives != null) {
      if (!natives.get().open(aad, env, off, len, out)) {
        throw new CorruptObjectException(resource, AUTH_FAILED);
      }
      return out;
    }
    try {
      Cipher c = ciphers.get();
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG * 8, env, off, NONCE));
      c.updateAAD(aad);
      int p = off + NONCE;
      int end = off + len;
      int o = 0;
      while (end - p > SLICE) {
        o += c.update(env, p, SLICE, out, o);
        p += SLICE;
      }
      o += c.doFinal(env, p, end - p, out, o);
      return out;
    } catch (AEADBadTagException e) {
      throw new CorruptObjectException(resource, AUTH_FAILED, e);
    } catch (GeneralSecurityException e) {
      throw new CorruptObjectException(resource, "decryption failed: " + e.getMessage(), e);
    }
  }
}
