package io.cairn.repository;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.crypto.BlobCipher;
import io.cairn.crypto.MasterKey;
import io.cairn.format.BlobType;
import io.cairn.format.CorruptObjectException;
import io.cairn.format.FormatSamples;
import io.cairn.format.Id;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Regression (found by ParserMutationTest): an authenticated blob whose plaintext is just the
 * zstd encoding byte once made {@link BlobCodec#open} throw ArrayIndexOutOfBoundsException from
 * {@code Zstd.getFrameContentSize} instead of CorruptObjectException.
 */
class BlobCodecEmptyZstdTest {
  @Test
  void emptyZstdPayloadIsCorrupt() {
    BlobCipher cipher = MasterKey.generate().cipher();
    Id id = FormatSamples.id(new Random(1));
    byte[] sealed = cipher.encrypt(BlobCipher.blobAad(BlobType.DATA, id), new byte[0],
        new byte[] {BlobCodec.ZSTD}, 0, 1);

    assertThatThrownBy(() -> new BlobCodec(cipher, 3).open(BlobType.DATA, id, sealed, "blob"))
        .isInstanceOf(CorruptObjectException.class);
  }
}
