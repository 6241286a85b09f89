package io.cairn.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.crypto.MasterKey;
import io.cairn.format.BlobType;
import io.cairn.format.CorruptObjectException;
import io.cairn.format.FormatSamples;
import io.cairn.format.Id;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Opening blobs where they were read: stored and compressed, small and beyond the kept buffers. */
class BlobCodecDirectTest {
  private final BlobCodec codec = new BlobCodec(MasterKey.generate().cipher(), 3);
  private final Random r = new Random(11);

  private byte[] sample(int size, boolean compressible) {
    byte[] b = new byte[size];
    if (compressible) {
      for (int i = 0; i < size; i++) {
        b[i] = (byte) ("backup " + (i / 97)).charAt(i % 7);
      }
    } else {
      r.nextBytes(b);
    }
    return b;
  }

  private ByteBuffer open(BlobType type, Id id, byte[] sealed) {
    ByteBuffer env = BlobCodec.envelopeBuffer(type, sealed.length);
    env.put(0, sealed);
    return codec.openDirect(type, id, env, sealed.length, "t");
  }

  @Test
  void storedAndCompressedBlobsOpenInPlace() {
    int[] sizes = {0, 1, 63, 64, 4096, 300_000, 1 << 20, (9 << 20) + 5};
    for (BlobType type : new BlobType[] {BlobType.DATA, BlobType.TREE}) {
      for (int size : sizes) {
        for (boolean compressible : new boolean[] {false, true}) {
          byte[] plain = sample(size, compressible);
          Id id = FormatSamples.id(r);
          byte[] sealed = codec.seal(type, id, plain).ciphertext();
          if (size >= 4096) {
            assertThat(sealed.length < size).as("compressed: " + compressible).isEqualTo(compressible);
          }

          ByteBuffer got = open(type, id, sealed);

          assertThat(got.isDirect()).isTrue();
          assertThat(got.isReadOnly()).isTrue();
          byte[] out = new byte[got.remaining()];
          got.duplicate().get(out);
          assertThat(out).as(type + " " + size + " " + compressible).isEqualTo(plain);
          assertThat(codec.open(type, id, sealed, "t")).isEqualTo(plain);
        }
      }
    }
  }

  @Test
  void aBlobOpenedUnderAnotherIdOrTypeIsCorrupt() {
    byte[] plain = sample(5000, true);
    Id id = FormatSamples.id(r);
    byte[] sealed = codec.seal(BlobType.DATA, id, plain).ciphertext();

    assertThatThrownBy(() -> open(BlobType.DATA, FormatSamples.id(r), sealed)).isInstanceOf(CorruptObjectException.class);
    assertThatThrownBy(() -> open(BlobType.TREE, id, sealed)).isInstanceOf(CorruptObjectException.class);
    byte[] bad = sealed.clone();
    bad[bad.length / 2] ^= 0x40;
    assertThatThrownBy(() -> open(BlobType.DATA, id, bad)).isInstanceOf(CorruptObjectException.class);
  }

  @Test
  void envelopesBeyondTheLimitAreRefused() {
    assertThatThrownBy(() -> BlobCodec.envelopeBuffer(BlobType.DATA, BlobCodec.MAX_ENVELOPE + 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> BlobCodec.envelopeBuffer(BlobType.DATA, -1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void smallChunksOfCompressedFormatsAreStoredWithoutTryingZstd() {
    // Compressible bodies behind a signature: only the signature keeps them from zstd.
    byte[][] heads = {
      {0x1f, (byte) 0x8b, 8}, {'P', 'K', 3, 4}, {(byte) 0xfd, '7', 'z', 'X', 'Z', 0}, {'B', 'Z', 'h', '9'},
      {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd}, {'7', 'z', (byte) 0xbc, (byte) 0xaf, 0x27, 0x1c},
      {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, {(byte) 0xff, (byte) 0xd8, (byte) 0xff},
    };
    for (byte[] head : heads) {
      byte[] plain = sample(4096, true);
      System.arraycopy(head, 0, plain, 0, head.length);
      Id id = FormatSamples.id(r);

      byte[] sealed = codec.seal(BlobType.DATA, id, plain).ciphertext();

      assertThat(sealed.length).as(java.util.HexFormat.of().formatHex(head)).isEqualTo(plain.length + 29);
      assertThat(codec.open(BlobType.DATA, id, sealed, "t")).isEqualTo(plain);
    }
    // A near miss, a tree, and a chunk beyond the sampling threshold are compressed as before.
    byte[] gzipLike = sample(4096, true);
    gzipLike[0] = 0x1f;
    gzipLike[1] = (byte) 0x8b;
    gzipLike[2] = 7;
    assertThat(codec.seal(BlobType.DATA, FormatSamples.id(r), gzipLike).ciphertext().length).isLessThan(4096);
    gzipLike[2] = 8;
    assertThat(codec.seal(BlobType.TREE, FormatSamples.id(r), gzipLike).ciphertext().length).isLessThan(4096);
    byte[] big = sample(300_000, true);
    big[0] = 0x1f;
    big[1] = (byte) 0x8b;
    big[2] = 8;
    assertThat(codec.seal(BlobType.DATA, FormatSamples.id(r), big).ciphertext().length).isLessThan(300_000);
  }
}
