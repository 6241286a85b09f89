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

  public Sealed seal(BlobType type, Id id, byte[] plain) {
    if (plain.length > MAX_PLAINTEXT) {
      throw new IllegalArgumentException("blob of " + plain.length + " bytes exceeds the limit of "
          + MAX_PLAINTEXT + " bytes that readers accept");
    }
    byte[] aad = BlobCipher.blobAad(type, id);
    // The encoding byte and the payload go to the cipher as one array: a separate one-byte
    // update would leave every later GCM block misaligned, which the JDK handles on a slow path.
    // Both are built in a per-thread scratch buffer, so a chunk costs one new array: the sealed one.
    byte[] scratch = scratch(1 + (int) Zstd.compressBound(plain.length));
    int n = tryCompress(plain, scratch);
    if (n < 0) {
      scratch[0] = RAW;
      System.arraycopy(plain, 0, scratch, 1, plain.length);
      n = plain.length + 1;
    }
    return new Sealed(cipher.encrypt(aad, NO_HEADER, scratch, 0, n), plain.length);
  }

  private static final ThreadLocal<byte[]> SCRATCH = new ThreadLocal<>();

  /** Scratch buffers up to this size are kept per thread (a maximum chunk and its zstd bound). */
  private static final int SCRATCH_KEPT = 9 << 20;

  private static byte[] scratch(int size) {
    byte[] b = SCRATCH.get();
    if (b != null && b.length >= size) {
      return b;
    }
    b = new byte[size];
    if (size <= SCRATCH_KEPT) {
      SCRATCH.set(b); // a huge tree's buffer is not kept
    }
    return b;
  }

  private static final byte[] NO_HEADER = new byte[0];

  /**
   * Writes the zstd encoding (encoding byte first) into {@code out}, which holds at least
   * {@code 1 + compressBound(plain.length)} bytes; returns its length, or -1 when compression
   * does not pay.
   *
   * <p>zstd works on direct buffers, one pair per thread: given heap arrays, zstd-jni pins them
   * for the whole call, and a garbage collection that meets a pinned region cannot move it: the
   * region stays, garbage and all. In one first backup's GC log, 4 of 14 young collections
   * reported "Evacuation Failure: Pinned"; with direct buffers none did. The price is two memory
   * copies of the chunk, which were not measured apart from the compression they surround.
   */
  private int tryCompress(byte[] plain, byte[] out) {
    int len = plain.length;
    if (len < 64) {
      return -1;
    }
    com.github.luben.zstd.ZstdCompressCtx ctx = CTX.get();
    ctx.setContentSize(true);
    int n;
    if (len > SCRATCH_KEPT) {
      // A rare huge tree: not worth a kept direct buffer, so zstd works on (pins) the arrays.
      ctx.setLevel(level);
      n = ctx.compressByteArray(out, 1, out.length - 1, plain, 0, len);
    } else {
      Direct d = DIRECT.get().ensure(len);
      d.in.put(0, plain, 0, len);
      // A quick look at a sample saves compressing whole chunks of already-compressed data.
      if (len > 4 * SAMPLE) {
        ctx.setLevel(1);
        int c = ctx.compressDirectByteBuffer(d.out, 0, d.out.capacity(), d.in, len / 2 - SAMPLE / 2, SAMPLE);
        if (c > SAMPLE - SAMPLE / 64) {
          return -1;
        }
      }
      ctx.setLevel(level);
      n = ctx.compressDirectByteBuffer(d.out, 0, d.out.capacity(), d.in, 0, len);
      d.out.get(0, out, 1, n);
    }
    if (n > len - len / 32) {
      return -1;
    }
    out[0] = ZSTD;
    return n + 1;
  }

  /** A thread's direct buffers for zstd: input and output, grown on demand up to a maximum chunk. */
  private static final class Direct {
    java.nio.ByteBuffer in = java.nio.ByteBuffer.allocateDirect(0);
    java.nio.ByteBuffer out = java.nio.ByteBuffer.allocateDirect(0);

    Direct ensure(int len) {
      if (in.capacity() < len) {
        // Rounded up so that a thread meeting ever larger chunks does not reallocate for each.
        int cap = Math.min(SCRATCH_KEPT, Math.max(len, Math.max(1 << 20, 2 * in.capacity())));
        in = java.nio.ByteBuffer.allocateDirect(cap);
        out = java.nio.ByteBuffer.allocateDirect((int) Zstd.compressBound(cap));
      }
      return this;
    }
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
