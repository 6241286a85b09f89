package io.cairn.repository;

import com.github.luben.zstd.Zstd;
import io.cairn.crypto.BlobCipher;
import io.cairn.crypto.MasterKey;
import io.cairn.format.BlobType;
import io.cairn.format.CorruptObjectException;
import io.cairn.format.FormatSamples;
import io.cairn.format.Id;
import io.cairn.format.ParserTarget;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * {@link BlobCodec#open} as fuzz targets. The AEAD tag rejects every mutated ciphertext, so a
 * second target seals its input with the real key first: that is the only way to reach the
 * encoding byte and the zstd decoder with hostile data.
 */
public final class BlobCodecTargets {
  private static final BlobCipher CIPHER = MasterKey.generate().cipher();
  private static final BlobCodec CODEC = new BlobCodec(CIPHER, 3);
  private static final BlobType TYPE = BlobType.TREE;
  private static final Id ID = FormatSamples.id(new Random(8));
  private static final String R = "fuzz blob";

  private BlobCodecTargets() {}

  public static List<ParserTarget> all() {
    return List.of(ciphertext(), plaintext());
  }

  /** Inputs are sealed blobs as read from a pack. */
  public static ParserTarget ciphertext() {
    List<byte[]> samples = plaintexts().stream()
        .map(p -> CODEC.seal(TYPE, ID, Arrays.copyOfRange(p, 1, p.length)).ciphertext()).toList();
    return new ParserTarget("BlobCodec.open(ciphertext)", samples, BlobCodecTargets::open, null,
        BlobCodecTargets::encrypt);
  }

  /** Inputs are the authenticated plaintext: encoding byte, then the stored or zstd payload. */
  public static ParserTarget plaintext() {
    return new ParserTarget("BlobCodec.open(plaintext)", plaintexts(),
        p -> open(encrypt(p)), null, null);
  }

  private static void open(byte[] ciphertext) {
    CODEC.open(TYPE, ID, ciphertext, R);
  }

  private static byte[] encrypt(byte[] plain) {
    return CIPHER.encrypt(BlobCipher.blobAad(TYPE, ID), new byte[0], plain, 0, plain.length);
  }

  /** Valid encodings: empty, stored, and zstd frames with and without content. */
  public static List<byte[]> plaintexts() {
    byte[] text = "cairn keeps every version; ".repeat(40).getBytes(StandardCharsets.UTF_8);
    byte[] random = new byte[100];
    new Random(9).nextBytes(random);
    return List.of(new byte[] {BlobCodec.RAW}, concat(BlobCodec.RAW, random),
        concat(BlobCodec.ZSTD, Zstd.compress(text, 3)), concat(BlobCodec.ZSTD, Zstd.compress(new byte[0], 1)));
  }

  private static byte[] concat(int first, byte[] rest) {
    byte[] out = new byte[rest.length + 1];
    out[0] = (byte) first;
    System.arraycopy(rest, 0, out, 1, rest.length);
    return out;
  }
}
