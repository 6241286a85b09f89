package io.cairn.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.format.BlobType;
import io.cairn.format.CorruptObjectException;
import io.cairn.format.Id;
import io.cairn.format.KeyFile;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CryptoTest {
  static final KdfParams CHEAP = new KdfParams(1024, 1, 1);

  @Test
  void keyFileOpensOnlyWithItsPassword() {
    MasterKey mk = MasterKey.generate();
    KeyFile kf = KeyWrapper.wrap(mk, "pw".toCharArray(), CHEAP, Instant.EPOCH, "h", "u");
    KeyFile reread = KeyFile.decode(kf.encode(), "k");
    assertThat(KeyWrapper.unwrap(reread, "pw".toCharArray())).isEqualTo(mk);
    assertThat(KeyWrapper.unwrap(reread, "pW".toCharArray())).isNull();
  }

  @Test
  void blobCiphertextIsBoundToItsIdAndType() {
    MasterKey mk = MasterKey.generate();
    byte[] plain = "secret contents".getBytes();
    Id id = mk.idHasher().id(plain);
    byte[] ct = mk.cipher().encrypt(BlobCipher.blobAad(BlobType.DATA, id), new byte[0], plain, 0, plain.length);
    assertThat(mk.cipher().decrypt(BlobCipher.blobAad(BlobType.DATA, id), ct, 0, ct.length, "b")).isEqualTo(plain);
    Id other = mk.idHasher().id("other".getBytes());
    assertThatThrownBy(() -> mk.cipher().decrypt(BlobCipher.blobAad(BlobType.DATA, other), ct, 0, ct.length, "b"))
        .isInstanceOf(CorruptObjectException.class).hasMessageContaining("authentication failed");
    assertThatThrownBy(() -> mk.cipher().decrypt(BlobCipher.blobAad(BlobType.TREE, id), ct, 0, ct.length, "b"))
        .isInstanceOf(CorruptObjectException.class);
    ct[20] ^= 1;
    assertThatThrownBy(() -> mk.cipher().decrypt(BlobCipher.blobAad(BlobType.DATA, id), ct, 0, ct.length, "b"))
        .isInstanceOf(CorruptObjectException.class);
  }

  @Test
  void idsAreKeyedAndSubKeysAreSeparated() {
    MasterKey a = MasterKey.generate();
    MasterKey b = MasterKey.generate();
    byte[] data = new byte[1000];
    assertThat(a.idHasher().id(data)).isEqualTo(a.idHasher().id(data)).isNotEqualTo(b.idHasher().id(data));
    assertThat(a.gearTable()).isNotEqualTo(b.gearTable());
    assertThat(a.tag(data)).isNotEqualTo(a.idHasher().id(data).hex().substring(0, 32));
  }

  @Test
  void largeInputsUseSlicesAndStillRoundTrip() {
    MasterKey mk = MasterKey.generate();
    byte[] big = new byte[(3 << 20) + 17];
    new java.util.Random(4).nextBytes(big);
    byte[] aad = {1, 2, 3};
    byte[] ct = mk.cipher().encrypt(aad, new byte[] {9}, big, 0, big.length);
    byte[] back = mk.cipher().decrypt(aad, ct, 0, ct.length, "big");
    assertThat(back[0]).isEqualTo((byte) 9);
    assertThat(java.util.Arrays.copyOfRange(back, 1, back.length)).isEqualTo(big);
  }
}
