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
  private static final int SAMPLE = 64 * 1024;

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
    return len > DIRECT_KEPT || (type == BlobType.TREE && len > TREE_KEPT) ? new Direct() : DIRECT.get();
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
    int n = tryCompress(src, off, len, out);
    if (n < 0) {
      out.put(BODY, (byte) RAW);
      out.put(BODY + 1, src, off, len);
      n = len + 1;
    }
    int total = cipher.sealInPlace(BlobCipher.blobAad(type, id), out, n);
    return out.duplicate().limit(total).position(0);
  }

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
    if (len > 4 * SAMPLE) {
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

  /** Decrypts, decompresses; the caller verifies the id. */
  public byte[] open(BlobType type, Id id, byte[] ciphertext, String resource) {
    byte[] p = cipher.decrypt(BlobCipher.blobAad(type, id), ciphertext, 0, ciphertext.length, resource);
    if (p.length == 0) {
      throw new CorruptObjectException(resource, "blob has no encoding byte");
    }
    return switch (p[0]) {
      case RAW -> java.util.Arrays.copyOfRange(p, 1, p.length);
      case ZSTD -> decompress(p, resource);
      default -> throw new CorruptObjectException(resource, "unknown blob encoding " + p[0]);
    };
  }

  /** One reusable decompression context per thread, like {@link #CTX}. */
  private static final ThreadLocal<com.github.luben.zstd.ZstdDecompressCtx> DCTX =
      ThreadLocal.withInitial(com.github.luben.zstd.ZstdDecompressCtx::new);

  private static byte[] decompress(byte[] p, String resource) {
    int len = p.length - 1;
    if (len == 0) {
      throw new CorruptObjectException(resource, "compressed blob is empty");
    }
    long size = Zstd.getFrameContentSize(p, 1, len);
    if (size < 0 || size > MAX_PLAINTEXT) {
      throw new CorruptObjectException(resource, "compressed blob declares an invalid size " + size);
    }
    try {
      byte[] out = new byte[(int) size];
      int n = DCTX.get().decompressByteArray(out, 0, out.length, p, 1, len);
      if (n != size) {
        throw new CorruptObjectException(resource, "decompressed to " + n + " bytes, expected " + size);
      }
      return out;
    } catch (ZstdException e) {
      throw new CorruptObjectException(resource, "zstd: " + e.getMessage(), e);
    }
  }
}
