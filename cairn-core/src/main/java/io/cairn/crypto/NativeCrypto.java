package io.cairn.crypto;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.ref.Cleaner;

/**
 * SHA-256, HMAC-SHA-256 and AES-256-GCM from OpenSSL's libcrypto (Debian package {@code
 * libssl3}), called with the foreign-function API. The results are the same bytes the JDK's
 * providers compute (tests compare them both ways), but the speed does not depend on the JIT:
 * the JDK reaches its SHA and GCM CPU instructions only from C2-compiled code, so a short-lived
 * command either pays for C2 compiling the whole pipeline or hashes and encrypts at a fraction
 * of the speed. With these, the CLI runs on the C1 compiler alone (see {@code ./cairn}).
 *
 * <p>Calls pass Java arrays to the library directly ({@link Linker.Option#critical} with heap
 * access): no copies, and nothing pinned for a garbage collection to trip over, since the
 * collector waits for such a call to return; every call here returns within milliseconds.
 *
 * <p>When the library is missing, native access is not enabled, or the system property {@code
 * cairn.crypto.java} is true, {@link #available()} is false and the JDK providers serve.
 */
final class NativeCrypto {
  private static final Linker LINKER = Linker.nativeLinker();
  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
  private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
  private static final MemoryLayout PTR = ValueLayout.ADDRESS;
  /** {@code EVP_CTRL_AEAD_GET_TAG} and {@code EVP_CTRL_AEAD_SET_TAG} in evp.h. */
  private static final int GET_TAG = 0x10;
  private static final int SET_TAG = 0x11;
  /** {@code sizeof(SHA256_CTX)} is 112 bytes; held in a long[] for alignment. */
  private static final int SHA_CTX_LONGS = 14;

  private static final Handles H = load();
  private static final Cleaner CLEANER = Cleaner.create(Thread.ofPlatform().daemon().name("cairn-crypto-cleaner").factory());

  private NativeCrypto() {}

  private record Handles(MethodHandle sha256, MethodHandle shaInit, MethodHandle shaUpdate, MethodHandle shaFinal,
      MethodHandle ctxNew, MethodHandle ctxFree, MethodHandle init, MethodHandle update, MethodHandle fin,
      MethodHandle ctrl, MemorySegment aes256gcm) {}

  private static Handles load() {
    if (Boolean.getBoolean("cairn.crypto.java")) {
      return null;
    }
    try {
      SymbolLookup lib = SymbolLookup.libraryLookup("libcrypto.so.3", Arena.global());
      Linker.Option heap = Linker.Option.critical(true);
      MethodHandle fetch = handle(lib, "EVP_CIPHER_fetch", FunctionDescriptor.of(PTR, PTR, PTR, PTR));
      MemorySegment cipher = (MemorySegment) fetch.invokeExact(MemorySegment.NULL,
          Arena.global().allocateFrom("AES-256-GCM"), MemorySegment.NULL);
      if (cipher.equals(MemorySegment.NULL)) {
        return null;
      }
      return new Handles(
          // unsigned char *SHA256(const unsigned char *d, size_t n, unsigned char *md)
          handle(lib, "SHA256", FunctionDescriptor.of(PTR, PTR, LONG, PTR), heap),
          handle(lib, "SHA256_Init", FunctionDescriptor.of(INT, PTR), heap),
          handle(lib, "SHA256_Update", FunctionDescriptor.of(INT, PTR, PTR, LONG), heap),
          handle(lib, "SHA256_Final", FunctionDescriptor.of(INT, PTR, PTR), heap),
          handle(lib, "EVP_CIPHER_CTX_new", FunctionDescriptor.of(PTR)),
          handle(lib, "EVP_CIPHER_CTX_free", FunctionDescriptor.ofVoid(PTR)),
          // int EVP_CipherInit_ex2(ctx, const EVP_CIPHER *, const unsigned char *key, const unsigned char *iv, int enc, const OSSL_PARAM[])
          handle(lib, "EVP_CipherInit_ex2", FunctionDescriptor.of(INT, PTR, PTR, PTR, PTR, INT, PTR), heap),
          // int EVP_CipherUpdate(ctx, unsigned char *out, int *outl, const unsigned char *in, int inl)
          handle(lib, "EVP_CipherUpdate", FunctionDescriptor.of(INT, PTR, PTR, PTR, PTR, INT), heap),
          handle(lib, "EVP_CipherFinal_ex", FunctionDescriptor.of(INT, PTR, PTR, PTR), heap),
          handle(lib, "EVP_CIPHER_CTX_ctrl", FunctionDescriptor.of(INT, PTR, INT, INT, PTR), heap),
          cipher);
    } catch (Throwable e) {
      // no such library or symbol, or native access not granted: the JDK providers serve
      return null;
    }
  }

  private static MethodHandle handle(SymbolLookup lib, String name, FunctionDescriptor fd, Linker.Option... options) {
    return LINKER.downcallHandle(lib.find(name).orElseThrow(() -> new IllegalArgumentException(name)), fd, options);
  }

  static boolean available() {
    return H != null;
  }

  private static MemorySegment at(byte[] a, int off) {
    return MemorySegment.ofArray(a).asSlice(off);
  }

  private static IllegalStateException failed(String what, Throwable t) {
    return new IllegalStateException("libcrypto: " + what + " failed" + (t == null ? "" : ": " + t), t);
  }

  /** SHA-256 of {@code data[off, off+len)} into {@code out[outOff, outOff+32)}. */
  static void sha256(byte[] data, int off, int len, byte[] out, int outOff) {
    java.util.Objects.checkFromIndexSize(off, len, data.length);
    java.util.Objects.checkFromIndexSize(outOff, 32, out.length);
    sha256(at(data, off), len, at(out, outOff));
  }

  private static void sha256(MemorySegment data, long len, MemorySegment out) {
    try {
      MemorySegment r = (MemorySegment) H.sha256.invokeExact(data, len, out);
      if (r.equals(MemorySegment.NULL)) {
        throw failed("SHA256", null);
      }
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw failed("SHA256", t);
    }
  }

  /**
   * A SHA-256 computation fed in parts, over libcrypto's {@code SHA256_CTX} kept in a Java array
   * (so a state can be saved and resumed by copying it, as {@link HmacKey} does); for one thread
   * at a time.
   */
  static final class Sha256Stream {
    private final long[] ctx = new long[SHA_CTX_LONGS];

    /** A fresh computation. */
    Sha256Stream() {
      this(true);
    }

    private Sha256Stream(boolean init) {
      if (!init) {
        return;
      }
      try {
        check((int) H.shaInit.invokeExact(MemorySegment.ofArray(ctx)), "SHA256_Init");
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable t) {
        throw failed("SHA256_Init", t);
      }
    }

    /** A computation that continues from {@code state} (see {@link #state()}). */
    static Sha256Stream resume(long[] state) {
      return new Sha256Stream(false).load(state);
    }

    /** Continues from {@code state} instead of where this computation was. */
    Sha256Stream load(long[] state) {
      System.arraycopy(state, 0, ctx, 0, SHA_CTX_LONGS);
      return this;
    }

    /** The state so far, to {@link #load} later. */
    long[] state() {
      return ctx.clone();
    }

    Sha256Stream update(MemorySegment data) {
      try {
        check((int) H.shaUpdate.invokeExact(MemorySegment.ofArray(ctx), data, data.byteSize()), "SHA256_Update");
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable t) {
        throw failed("SHA256_Update", t);
      }
      return this;
    }

    /** Writes the digest into the first 32 bytes of {@code out}. */
    void finish(MemorySegment out) {
      try {
        check((int) H.shaFinal.invokeExact(out, MemorySegment.ofArray(ctx)), "SHA256_Final");
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable t) {
        throw failed("SHA256_Final", t);
      }
    }

    byte[] digest() {
      byte[] out = new byte[32];
      finish(MemorySegment.ofArray(out));
      return out;
    }
  }

  /**
   * An HMAC-SHA-256 key as the two hash states after its inner and outer pad blocks (RFC 2104),
   * so that each MAC hashes only the message and one more block.
   */
  static final class HmacKey {
    private final long[] inner;
    private final long[] outer;

    HmacKey(byte[] key) {
      byte[] k = new byte[64];
      if (key.length > 64) {
        sha256(key, 0, key.length, k, 0);
      } else {
        System.arraycopy(key, 0, k, 0, key.length);
      }
      byte[] pad = new byte[64];
      for (int i = 0; i < 64; i++) {
        pad[i] = (byte) (k[i] ^ 0x36);
      }
      inner = new Sha256Stream().update(MemorySegment.ofArray(pad)).state();
      for (int i = 0; i < 64; i++) {
        pad[i] = (byte) (k[i] ^ 0x5c);
      }
      outer = new Sha256Stream().update(MemorySegment.ofArray(pad)).state();
      java.util.Arrays.fill(k, (byte) 0);
      java.util.Arrays.fill(pad, (byte) 0);
    }
  }

  private static void check(int rc, String what) {
    if (rc != 1) {
      throw failed(what, null);
    }
  }

  /** HMAC-SHA-256 of {@code data[off, off+len)}; {@code out} receives 32 bytes. */
  static void hmac(HmacKey key, byte[] data, int off, int len, byte[] out) {
    java.util.Objects.checkFromIndexSize(off, len, data.length);
    hmac(key, at(data, off).asSlice(0, len), out);
  }

  /** HMAC-SHA-256 of a whole segment (heap or native); {@code out} receives 32 bytes. */
  static void hmac(HmacKey key, MemorySegment data, byte[] out) {
    MemorySegment o = MemorySegment.ofArray(out).asSlice(0, 32);
    Sha256Stream s = Sha256Stream.resume(key.inner);
    s.update(data).finish(o);
    s.load(key.outer).update(o).finish(o);
  }

  /**
   * An AES-256-GCM context holding one key, for one thread at a time. Its native memory (with
   * the expanded key) is freed once the object is unreachable.
   */
  static final class Gcm {
    private final MemorySegment ctx;
    private final int[] outl = new int[1];

    Gcm(byte[] key) {
      if (key.length != 32) {
        throw new IllegalArgumentException("AES-256 needs a 32-byte key");
      }
      try {
        MemorySegment c = (MemorySegment) H.ctxNew.invokeExact();
        if (c.equals(MemorySegment.NULL)) {
          throw new OutOfMemoryError("EVP_CIPHER_CTX_new");
        }
        this.ctx = c;
        MethodHandle free = H.ctxFree;
        CLEANER.register(this, () -> {
          try {
            free.invokeExact(c);
          } catch (Throwable ignored) {
            // nothing more can be done for a context that cannot be freed
          }
        });
        check((int) H.init.invokeExact(c, H.aes256gcm, MemorySegment.ofArray(key), MemorySegment.NULL, 1,
            MemorySegment.NULL), "EVP_CipherInit_ex2");
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable t) {
        throw failed("AES-256-GCM set-up", t);
      }
    }

    /**
     * Writes the envelope {@code nonce | E(header | data[off, off+len)) | tag} into {@code out},
     * whose first 12 bytes already hold the nonce and whose length is exactly the envelope's.
     */
    void seal(byte[] aad, byte[] header, byte[] data, int off, int len, byte[] out) {
      java.util.Objects.checkFromIndexSize(off, len, data.length);
      if (out.length != BlobCipher.NONCE + header.length + len + BlobCipher.TAG) {
        throw new IllegalArgumentException("envelope length");
      }
      seal(aad, MemorySegment.ofArray(header), at(data, off), len, MemorySegment.ofArray(out));
    }

    /**
     * Encrypts in place: {@code env} holds the nonce at {@code [0, 12)} and the plaintext at
     * {@code [12, 12 + bodyLen)}, which becomes the ciphertext; the tag goes right after it.
     * GCM is a stream mode, so the library encrypts a buffer onto itself.
     */
    void sealInPlace(byte[] aad, MemorySegment env, int bodyLen) {
      if (bodyLen < 0 || env.byteSize() < (long) BlobCipher.NONCE + bodyLen + BlobCipher.TAG) {
        throw new IllegalArgumentException("envelope length");
      }
      seal(aad, MemorySegment.NULL, env.asSlice(BlobCipher.NONCE), bodyLen, env);
    }

    /**
     * The one encryption path: {@code env} starts with the nonce; {@code header} (may be NULL
     * or empty) and then {@code len} bytes of {@code data} are encrypted behind it, and the tag
     * follows. {@code data} may be the very bytes the ciphertext goes to.
     */
    private void seal(byte[] aad, MemorySegment header, MemorySegment data, int len, MemorySegment env) {
      int headerLen = (int) header.byteSize();
      int n = BlobCipher.NONCE;
      try {
        MemorySegment l = MemorySegment.ofArray(outl);
        check((int) H.init.invokeExact(ctx, MemorySegment.NULL, MemorySegment.NULL, env, 1,
            MemorySegment.NULL), "EVP_CipherInit_ex2");
        check((int) H.update.invokeExact(ctx, MemorySegment.NULL, l, MemorySegment.ofArray(aad), aad.length),
            "EVP_CipherUpdate");
        if (headerLen > 0) {
          check((int) H.update.invokeExact(ctx, env.asSlice(n), l, header, headerLen), "EVP_CipherUpdate");
          n += outl[0];
        }
        check((int) H.update.invokeExact(ctx, env.asSlice(n), l, data, len), "EVP_CipherUpdate");
        n += outl[0];
        check((int) H.fin.invokeExact(ctx, env.asSlice(n), l), "EVP_CipherFinal_ex");
        n += outl[0];
        if (n != BlobCipher.NONCE + headerLen + len) {
          throw failed("AES-256-GCM (wrote " + (n - BlobCipher.NONCE) + " bytes)", null);
        }
        check((int) H.ctrl.invokeExact(ctx, GET_TAG, BlobCipher.TAG, env.asSlice(n)), "EVP_CIPHER_CTX_ctrl");
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable t) {
        throw failed("AES-256-GCM encryption", t);
      }
    }

    /**
     * Decrypts the envelope {@code env[off, off+len)} (at least nonce and tag long) into {@code
     * out} (exactly {@code len - 28} bytes); false when authentication fails.
     */
    boolean open(byte[] aad, byte[] env, int off, int len, byte[] out) {
      java.util.Objects.checkFromIndexSize(off, len, env.length);
      if (len < BlobCipher.OVERHEAD || out.length != len - BlobCipher.OVERHEAD) {
        throw new IllegalArgumentException("envelope length");
      }
      return open(aad, at(env, off), len, MemorySegment.ofArray(out));
    }

    /**
     * Decrypts the envelope in {@code env[0, len)} where it lies: the plaintext takes the place
     * of the ciphertext, at {@code [12, len - 16)}. False when authentication fails, and then
     * that range holds unauthenticated bytes that must not be used.
     */
    boolean openInPlace(byte[] aad, MemorySegment env, int len) {
      if (len < BlobCipher.OVERHEAD || env.byteSize() < len) {
        throw new IllegalArgumentException("envelope length");
      }
      return open(aad, env, len, env.asSlice(BlobCipher.NONCE));
    }

    /**
     * The one decryption path: the envelope is {@code env[0, len)}, the plaintext goes to
     * {@code out}, which may be the very bytes of the ciphertext (GCM is a stream mode).
     */
    private boolean open(byte[] aad, MemorySegment env, int len, MemorySegment out) {
      int body = len - BlobCipher.OVERHEAD;
      try {
        MemorySegment l = MemorySegment.ofArray(outl);
        check((int) H.init.invokeExact(ctx, MemorySegment.NULL, MemorySegment.NULL, env, 0,
            MemorySegment.NULL), "EVP_CipherInit_ex2");
        check((int) H.update.invokeExact(ctx, MemorySegment.NULL, l, MemorySegment.ofArray(aad), aad.length),
            "EVP_CipherUpdate");
        check((int) H.update.invokeExact(ctx, out, l, env.asSlice(BlobCipher.NONCE), body),
            "EVP_CipherUpdate");
        // The tag is only read, though the call's signature does not say so.
        check((int) H.ctrl.invokeExact(ctx, SET_TAG, BlobCipher.TAG, env.asSlice(len - BlobCipher.TAG)),
            "EVP_CIPHER_CTX_ctrl");
        return (int) H.fin.invokeExact(ctx, out.asSlice(outl[0]), l) > 0;
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable t) {
        throw failed("AES-256-GCM decryption", t);
      }
    }
  }
}
