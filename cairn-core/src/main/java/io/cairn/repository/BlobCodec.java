package io.cairn.repository;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdException;
import io.cairn.crypto.BlobCipher;
import io.cairn.format.BlobType;
import io.cairn.format.CorruptObjectException;
import io.cairn.format.Id;

/**
 * Turns plaintext into a stored blob and back (docs/format.md, "Blobs"): one encoding byte
 * (0 = stored, 1 = zstd) followed by the payload, encrypted with the blob's type and id as
 * associated data. Chunks that zstd cannot shrink by at least 1/32 are stored as they are.
 */
public final class BlobCodec {
  static final int RAW = 0;
  static final int ZSTD = 1;
  /** Largest plaintext a blob may decompress to; bounds memory on hostile input. */
  public static final int MAX_PLAINTEXT = 256 << 20;
  /** Largest envelope of a blob within {@link #MAX_PLAINTEXT}: stored as it is, with its encoding byte. */
  public static final int MAX_ENVELOPE = MAX_PLAINTEXT + 1 + BlobCipher.OVERHEAD;
  private static final int SAMPLE = 64 * 1024;
  /**
   * Plaintexts longer than this are sampled before compression ({@link #tryCompress}); those up
   * to it are checked for a compressed format's signature instead ({@link #compressedFormat}).
   */
  private static final int SAMPLED_ABOVE = 4 * SAMPLE;

  private final BlobCipher cipher;
  private final int level;

  public BlobCodec(BlobCipher cipher, int level) {
    this.cipher = cipher;
    this.level = level;
  }

  /** A sealed blob and the plaintext length it holds. */
  public record Sealed(byte[] ciphertext, int plaintextLength) {}

  /** As {@link #sealDirect}, in an array of its own. */
  public Sealed seal(BlobType type, Id id, byte[] plain) {
    java.nio.ByteBuffer b = sealDirect(type, id, plain);
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return new Sealed(out, plain.length);
  }

  /**
   * Seals {@code plain}: the envelope is in the returned buffer (position 0 to its limit), which
   * belongs to the calling thread and is valid until the thread's next seal. The chunk is
   * compressed into that buffer, behind room for the nonce, and encrypted where it lies
   * ({@link BlobCipher#sealInPlace}), so sealing allocates nothing per blob.
   */
  public java.nio.ByteBuffer sealDirect(BlobType type, Id id, byte[] plain) {
    int len = checkLength(plain.length);
    Direct d = direct(type, len);
    java.nio.ByteBuffer in = d.input(len);
    in.put(0, plain, 0, len);
    return seal(type, id, d, in, 0, len);
  }

  /**
   * As {@link #sealDirect(BlobType, Id, byte[])} for the bytes between the position and the
   * limit of a direct buffer, which zstd reads where they are.
   */
  public java.nio.ByteBuffer sealDirect(BlobType type, Id id, java.nio.ByteBuffer plain) {
    if (!plain.isDirect()) {
      throw new IllegalArgumentException("a direct buffer is needed");
    }
    int len = checkLength(plain.remaining());
    return seal(type, id, direct(type, len), plain, plain.position(), len);
  }

  /**
   * The thread's buffers, or buffers of the blob's own that are not kept: for a blob larger
   * than a maximum chunk (a huge fixed chunk), and for a tree over {@link #TREE_KEPT}. Trees
   * are sealed on the threads that walk the file system; one directory of 18,000 entries (a
   * tree of 2.7 MB) would otherwise leave each walker thread holding two buffers that size for
   * the rest of the backup, for trees that are almost all small.
   */
  private static Direct direct(BlobType type, int len) {
    return kept(type, len) ? DIRECT.get() : new Direct();
  }

  /** Whether a blob of this type and length goes through the thread's kept buffers. */
  private static boolean kept(BlobType type, int len) {
    return len <= DIRECT_KEPT && !(type == BlobType.TREE && len > TREE_KEPT);
  }

  private static final int TREE_KEPT = 256 << 10;

  private static int checkLength(int len) {
    if (len > MAX_PLAINTEXT) {
      throw new IllegalArgumentException("blob of " + len + " bytes exceeds the limit of "
          + MAX_PLAINTEXT + " bytes that readers accept");
    }
    return len;
  }

  private java.nio.ByteBuffer seal(BlobType type, Id id, Direct d, java.nio.ByteBuffer src, int off, int len) {
    java.nio.ByteBuffer out = d.output(len);
    // The encoding byte and the payload are one run for the cipher: a separate one-byte update
    // would leave every later GCM block misaligned, which the JDK handles on a slow path.
    int n = type == BlobType.DATA && compressedFormat(src, off, len) ? -1 : tryCompress(src, off, len, out);
    if (n < 0) {
      out.put(BODY, (byte) RAW);
      out.put(BODY + 1, src, off, len);
      n = len + 1;
    }
    int total = cipher.sealInPlace(BlobCipher.blobAad(type, id), out, n);
    return out.duplicate().limit(total).position(0);
  }

  /**
   * Whether a plaintext of at most 262,144 bytes begins with the signature of a compressed
   * format (gzip, zip, xz, bzip2, zstd, 7z, PNG, JPEG): such a chunk is nearly always a whole
   * small file that zstd cannot shrink. Larger chunks are sampled instead. Over the benchmark
   * corpus, chunks with a gzip or zip signature took 6–10% of level-3 compression time and
   * yielded 0.14% of its savings (docs/benchmarks.md).
   */
  static boolean compressedFormat(java.nio.ByteBuffer src, int off, int len) {
    if (len < 8 || len > SAMPLED_ABOVE) {
      return false;
    }
    long head = 0;
    for (int i = 0; i < 8; i++) {
      head = head << 8 | (src.get(off + i) & 0xff);
    }
    for (int i = 0; i < SIGNATURES.length; i += 2) {
      if ((head & SIGNATURES[i + 1]) == SIGNATURES[i]) {
        return true;
      }
    }
    return false;
  }

  /** Leading bytes of compressed formats, big-endian, each followed by the mask of its length. */
  private static final long[] SIGNATURES = {
    0x1f8b080000000000L, 0xffffff0000000000L, // gzip, deflate
    0x504b030400000000L, 0xffffffff00000000L, // zip local file header (also jar, docx, odt)
    0xfd377a585a000000L, 0xffffffffffff0000L, // xz
    0x425a683000000000L, 0xfffffff000000000L, // bzip2 "BZh" and a block size digit
    0x28b52ffd00000000L, 0xffffffff00000000L, // zstd frame
    0x377abcaf271c0000L, 0xffffffffffff0000L, // 7z
    0x89504e470d0a1a0aL, 0xffffffffffffffffL, // PNG
    0xffd8ff0000000000L, 0xffffff0000000000L, // JPEG
  };

  /** Where the encoding byte goes in a thread's output buffer: after room for the nonce. */
  private static final int BODY = BlobCipher.NONCE;

  /** Direct buffers up to this size are kept per thread (a maximum chunk and its zstd bound). */
  private static final int DIRECT_KEPT = 9 << 20;

  /**
   * Compresses {@code len} bytes of {@code src} from {@code off} into {@code out} after the
   * encoding byte, which it sets; returns the length of encoding byte and payload, or -1 when
   * compression does not pay.
   *
   * <p>zstd works on direct buffers only: given heap arrays, zstd-jni pins them for the whole
   * call, and a garbage collection that meets a pinned region cannot move it: the region stays,
   * garbage and all. In one first backup's GC log, 4 of 14 young collections reported
   * "Evacuation Failure: Pinned"; with direct buffers none did.
   */
  private int tryCompress(java.nio.ByteBuffer src, int off, int len, java.nio.ByteBuffer out) {
    if (len < 64) {
      return -1;
    }
    com.github.luben.zstd.ZstdCompressCtx ctx = CTX.get();
    ctx.setContentSize(true);
    // A quick look at a sample saves compressing whole chunks of already-compressed data.
    if (len > SAMPLED_ABOVE) {
      ctx.setLevel(1);
      int c = ctx.compressDirectByteBuffer(out, 0, out.capacity(), src, off + len / 2 - SAMPLE / 2, SAMPLE);
      if (c > SAMPLE - SAMPLE / 64) {
        return -1;
      }
    }
    ctx.setLevel(level);
    int room = out.capacity() - BODY - 1 - BlobCipher.TAG;
    int n = ctx.compressDirectByteBuffer(out, BODY + 1, room, src, off, len);
    if (n > len - len / 32) {
      return -1;
    }
    out.put(BODY, (byte) ZSTD);
    return n + 1;
  }

  /**
   * A thread's direct buffers: a plaintext given as an array, and the envelope a plaintext
   * becomes (nonce, encoding byte, payload, tag). Each grows on demand, in steps of 256 KiB, up to a
   * maximum chunk; a thread that only meets small blobs keeps small buffers.
   */
  private static final class Direct {
    private java.nio.ByteBuffer in = java.nio.ByteBuffer.allocateDirect(0);
    private java.nio.ByteBuffer out = java.nio.ByteBuffer.allocateDirect(0);

    java.nio.ByteBuffer input(int len) {
      if (in.capacity() < len) {
        in = java.nio.ByteBuffer.allocateDirect(roundUp(len));
      }
      return in;
    }

    java.nio.ByteBuffer output(int len) {
      int need = BODY + 1 + (int) Zstd.compressBound(len) + BlobCipher.TAG;
      if (out.capacity() < need) {
        out = java.nio.ByteBuffer.allocateDirect(roundUp(need));
      }
      return out;
    }

    /** To a whole 256 KiB: a thread sealing only small files' chunks keeps buffers of about that. */
    private static int roundUp(int n) {
      return (int) Math.min(Integer.MAX_VALUE, ((long) n + GRAIN - 1) & -GRAIN);
    }

    private static final long GRAIN = 256 << 10;
  }

  private static final ThreadLocal<Direct> DIRECT = ThreadLocal.withInitial(Direct::new);

  /** One reusable zstd context per thread: creating one per call costs more than compressing small chunks. */
  private static final ThreadLocal<com.github.luben.zstd.ZstdCompressCtx> CTX =
      ThreadLocal.withInitial(com.github.luben.zstd.ZstdCompressCtx::new);

  /**
   * Decrypts and decompresses an envelope given as an array; the caller verifies the id. The
   * envelope is copied into the thread's buffer and opened there ({@link #openDirect}).
   */
  public byte[] open(BlobType type, Id id, byte[] ciphertext, String resource) {
    java.nio.ByteBuffer env = envelopeBuffer(type, ciphertext.length);
    env.put(0, ciphertext);
    java.nio.ByteBuffer plain = openDirect(type, id, env, ciphertext.length, resource);
    byte[] out = new byte[plain.remaining()];
    plain.get(out);
    return out;
  }

  /**
   * A direct buffer of at least {@code len} bytes, position 0, for an envelope to be read into
   * and given to {@link #openDirect}: the calling thread's own, valid until its next open, or
   * one of the blob's own where {@link #direct} says so. Take it only once the envelope's bytes
   * are at hand: a call that may wait (a remote store's request) can run other tasks on this
   * thread, and one of them may take the same buffer (Repository.loadBlobBuffer).
   */
  public static java.nio.ByteBuffer envelopeBuffer(BlobType type, int len) {
    if (len < 0 || len > MAX_ENVELOPE) {
      throw new IllegalArgumentException("an envelope of " + len + " bytes is beyond the limit of " + MAX_ENVELOPE);
    }
    return opening(type, len).input(len).clear();
  }

  /**
   * Decrypts and decompresses the envelope in {@code env[0, len)} (a buffer from {@link
   * #envelopeBuffer}); the caller verifies the id. The plaintext is returned between the
   * position and the limit of a read-only buffer that belongs to the calling thread and is valid
   * until its next open: a stored blob is decrypted where it lies and returned in place, a
   * compressed one is decompressed into the thread's second buffer. Nothing is allocated per
   * blob, and no byte passes through the Java heap.
   */
  public java.nio.ByteBuffer openDirect(BlobType type, Id id, java.nio.ByteBuffer env, int len, String resource) {
    int body = cipher.openInPlace(BlobCipher.blobAad(type, id), env, len, resource);
    if (body == 0) {
      throw new CorruptObjectException(resource, "blob has no encoding byte");
    }
    int at = BODY + 1;
    int n = body - 1;
    return switch (env.get(BODY)) {
      case RAW -> env.asReadOnlyBuffer().limit(at + n).position(at);
      case ZSTD -> decompress(type, env, at, n, resource);
      default -> throw new CorruptObjectException(resource, "unknown blob encoding " + env.get(BODY));
    };
  }

  /** The thread's buffers for opening, or the blob's own (as {@link #direct} for sealing). */
  private static Direct opening(BlobType type, int len) {
    return kept(type, len) ? OPENING.get() : new Direct();
  }

  /**
   * Buffers for opening, apart from those for sealing: a thread may open a blob while the
   * envelope it sealed last is still to be written.
   */
  private static final ThreadLocal<Direct> OPENING = ThreadLocal.withInitial(Direct::new);

  /** One reusable decompression context per thread, like {@link #CTX}. */
  private static final ThreadLocal<com.github.luben.zstd.ZstdDecompressCtx> DCTX =
      ThreadLocal.withInitial(com.github.luben.zstd.ZstdDecompressCtx::new);

  private static java.nio.ByteBuffer decompress(BlobType type, java.nio.ByteBuffer src, int at, int len, String resource) {
    if (len == 0) {
      throw new CorruptObjectException(resource, "compressed blob is empty");
    }
    long size;
    try {
      size = Zstd.getDirectByteBufferFrameContentSize(src, at, len);
    } catch (ZstdException e) {
      throw new CorruptObjectException(resource, "zstd: " + e.getMessage(), e);
    }
    if (size < 0 || size > MAX_PLAINTEXT) {
      throw new CorruptObjectException(resource, "compressed blob declares an invalid size " + size);
    }
    int want = (int) size;
    java.nio.ByteBuffer out = opening(type, want).output(want);
    try {
      int n = DCTX.get().decompressDirectByteBuffer(out, 0, want, src, at, len);
      if (n != size) {
        throw new CorruptObjectException(resource, "decompressed to " + n + " bytes, expected " + size);
      }
    } catch (ZstdException e) {
      throw new CorruptObjectException(resource, "zstd: " + e.getMessage(), e);
    }
    return out.asReadOnlyBuffer().limit(want).position(0);
  }
}
