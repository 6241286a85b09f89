package io.cairn.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sealing in place (libcrypto and the JDK) gives envelopes that {@link BlobCipher#decrypt} opens. */
class SealInPlaceTest {
  private static final int[] SIZES = {0, 1, 15, 16, 17, 1000, 65_535, 65_536, 65_537, 200_000, (1 << 20) + 13};

  /** Two ciphers under one key drawn from {@code r}: libcrypto's, then the JDK's. */
  private static BlobCipher[] nativeAndJdk(Random r) {
    byte[] key = new byte[32];
    r.nextBytes(key);
    return new BlobCipher[] {new BlobCipher(key, true), new BlobCipher(key, false)};
  }

  @Test
  void inPlaceEnvelopesOpenWithBothImplementations() {
    Random r = new Random(3);
    BlobCipher[] both = nativeAndJdk(r);
    BlobCipher nat = both[0];
    BlobCipher jdk = both[1];
    byte[] aad = {1, 2, 3};
    for (BlobCipher sealer : new BlobCipher[] {nat, jdk}) {
      for (int size : SIZES) {
        byte[] plain = new byte[size];
        r.nextBytes(plain);
        ByteBuffer env = ByteBuffer.allocateDirect(BlobCipher.OVERHEAD + size + 5);
        env.put(BlobCipher.NONCE, plain);
        int n = sealer.sealInPlace(aad, env, size);
        assertThat(n).isEqualTo(BlobCipher.OVERHEAD + size);
        byte[] sealed = new byte[n];
        env.get(0, sealed);
        if (size >= 16) {
          assertThat(java.util.Arrays.copyOfRange(sealed, BlobCipher.NONCE, BlobCipher.NONCE + 16))
              .as("encrypted, not left as it was").isNotEqualTo(java.util.Arrays.copyOfRange(plain, 0, 16));
        }
        for (BlobCipher opener : new BlobCipher[] {nat, jdk}) {
          assertThat(opener.decrypt(aad, sealed, 0, n, "t")).as("size " + size).isEqualTo(plain);
        }
        assertThatThrownBy(() -> nat.decrypt(new byte[] {9}, sealed, 0, n, "t"))
            .isInstanceOf(io.cairn.format.CorruptObjectException.class);
      }
    }
  }

  @Test
  void envelopesOpenInPlaceWithBothImplementations() {
    Random r = new Random(6);
    BlobCipher[] both = nativeAndJdk(r);
    BlobCipher nat = both[0];
    BlobCipher jdk = both[1];
    byte[] aad = {4, 5, 6};
    for (int size : SIZES) {
      byte[] plain = new byte[size];
      r.nextBytes(plain);
      byte[] sealed = nat.encrypt(aad, new byte[0], plain, 0, size);
      for (BlobCipher opener : new BlobCipher[] {nat, jdk}) {
        ByteBuffer env = ByteBuffer.allocateDirect(sealed.length + 9).put(0, sealed).position(3);
        assertThat(opener.openInPlace(aad, env, sealed.length, "t")).isEqualTo(size);
        byte[] got = new byte[size];
        env.get(BlobCipher.NONCE, got);
        assertThat(got).as("size " + size).isEqualTo(plain);

        byte[] bad = sealed.clone();
        bad[r.nextInt(bad.length)] ^= 1;
        ByteBuffer tampered = ByteBuffer.allocateDirect(bad.length).put(0, bad);
        assertThatThrownBy(() -> opener.openInPlace(aad, tampered, bad.length, "t"))
            .isInstanceOf(io.cairn.format.CorruptObjectException.class);
        ByteBuffer again = ByteBuffer.allocateDirect(sealed.length).put(0, sealed);
        assertThatThrownBy(() -> opener.openInPlace(new byte[] {4, 5}, again, sealed.length, "t"))
            .as("other associated data").isInstanceOf(io.cairn.format.CorruptObjectException.class);
      }
    }
  }

  @Test
  void openingInPlaceRefusesShortEnvelopesAndHeapBuffers() {
    BlobCipher c = new BlobCipher(new byte[32], true);
    assertThatThrownBy(() -> c.openInPlace(new byte[0], ByteBuffer.allocateDirect(40), 27, "t"))
        .isInstanceOf(io.cairn.format.CorruptObjectException.class);
    assertThatThrownBy(() -> c.openInPlace(new byte[0], ByteBuffer.allocateDirect(40), 41, "t"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> c.openInPlace(new byte[0], ByteBuffer.allocate(100), 40, "t"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void tooSmallOrHeapBuffersAreRefused() {
    BlobCipher c = new BlobCipher(new byte[32], true);
    assertThatThrownBy(() -> c.sealInPlace(new byte[0], ByteBuffer.allocateDirect(40), 20))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> c.sealInPlace(new byte[0], ByteBuffer.allocate(100), 20))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void fileDigestMatchesTheArrayDigest(@TempDir Path dir) throws Exception {
    byte[] data = new byte[(3 << 20) + 7];
    new Random(4).nextBytes(data);
    Path f = dir.resolve("f");
    Files.write(f, data);
    byte[] expect = MessageDigest.getInstance("SHA-256").digest(java.util.Arrays.copyOf(data, data.length - 7));
    assertThat(Sha256.digest(f, data.length - 7)).isEqualTo(expect);
    assertThat(Sha256.digest(f, 0)).isEqualTo(MessageDigest.getInstance("SHA-256").digest(new byte[0]));
    assertThatThrownBy(() -> Sha256.digest(f, data.length + 1)).isInstanceOf(java.io.IOException.class);
  }

  @Test
  void hmacOfADirectBufferMatchesTheArray() {
    byte[] key = new byte[32];
    new Random(5).nextBytes(key);
    ChunkIdHasher nat = new ChunkIdHasher(key, true);
    ChunkIdHasher jdk = new ChunkIdHasher(key, false);
    for (int size : SIZES) {
      byte[] data = new byte[size + 10];
      new Random(size).nextBytes(data);
      ByteBuffer direct = ByteBuffer.allocateDirect(size + 10).put(0, data).position(4).limit(4 + size);
      io.cairn.format.Id expect = jdk.id(data, 4, size);
      assertThat(nat.id(direct)).as("size " + size).isEqualTo(expect);
      assertThat(jdk.id(direct)).isEqualTo(expect);
      assertThat(direct.position()).isEqualTo(4);
    }
  }
}
