package io.cairn.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.format.CorruptObjectException;
import java.security.MessageDigest;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** libcrypto (through the foreign-function API) and the JDK's providers must compute the same bytes. */
class NativeCryptoTest {
  private static final int[] SIZES = {0, 1, 15, 16, 17, 55, 56, 63, 64, 65, 1000, 4096, 65_535, 65_536,
      65_537, 1 << 20, (1 << 20) + 13};

  @Test
  void libcryptoIsUsedWhereInstalled() {
    // .ci/run makes sure libssl3 is installed; the tests run with native access enabled, as ./cairn does.
    assertThat(NativeCrypto.available()).as("libcrypto.so.3 loaded").isTrue();
  }

  @Test
  void sha256MatchesTheJdkAtEveryOffsetAndLength() throws Exception {
    Random r = new Random(1);
    for (int size : SIZES) {
      byte[] data = new byte[size + 7];
      r.nextBytes(data);
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(data, 3, size);
      byte[] out = new byte[40];
      NativeCrypto.sha256(data, 3, size, out, 5);
      assertThat(java.util.Arrays.copyOfRange(out, 5, 37)).as("size " + size).isEqualTo(md.digest());
      assertThat(Sha256.digest(data, 3, size)).isEqualTo(java.util.Arrays.copyOfRange(out, 5, 37));
    }
  }

  @Test
  void fileDigestIsTheJdksAcrossSliceBoundaries(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    Random r = new Random(2);
    int slice = (int) Sha256.FILE_SLICE;
    byte[] data = new byte[3 * slice + 5];
    r.nextBytes(data);
    java.nio.file.Path f = dir.resolve("pack");
    java.nio.file.Files.write(f, data);
    for (long length : new long[] {0, 1, slice - 1, slice, slice + 1, 2L * slice, 3L * slice + 5}) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(data, 0, (int) length);
      assertThat(Sha256.digest(f, length)).as("length " + length).isEqualTo(md.digest());
    }
    assertThatThrownBy(() -> Sha256.digest(f, data.length + 1L)).isInstanceOf(java.io.IOException.class)
        .hasMessageContaining("expected " + (data.length + 1L));
  }

  @Test
  void hmacMatchesTheJdkForShortAndLongKeys() throws Exception {
    Random r = new Random(2);
    for (int keyLen : new int[] {1, 32, 64, 65, 200}) {
      byte[] key = new byte[keyLen];
      r.nextBytes(key);
      NativeCrypto.HmacKey nk = new NativeCrypto.HmacKey(key);
      for (int size : SIZES) {
        byte[] data = new byte[size + 2];
        r.nextBytes(data);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        mac.update(data, 1, size);
        byte[] out = new byte[32];
        NativeCrypto.hmac(nk, data, 1, size, out);
        assertThat(out).as("key " + keyLen + " size " + size).isEqualTo(mac.doFinal());
      }
    }
    // Through the hasher as the repository uses it, with the all-zero shortcut on both sides.
    byte[] key = new byte[32];
    r.nextBytes(key);
    ChunkIdHasher nat = new ChunkIdHasher(key, true);
    ChunkIdHasher jdk = new ChunkIdHasher(key, false);
    for (int size : SIZES) {
      byte[] data = new byte[size];
      assertThat(nat.id(data)).isEqualTo(jdk.id(data));
      r.nextBytes(data);
      assertThat(nat.id(data)).isEqualTo(jdk.id(data));
    }
  }

  @Test
  void gcmEnvelopesOpenAcrossImplementations() {
    Random r = new Random(3);
    byte[] key = new byte[32];
    r.nextBytes(key);
    BlobCipher nat = new BlobCipher(key, true);
    BlobCipher jdk = new BlobCipher(key, false);
    for (int size : SIZES) {
      byte[] data = new byte[size + 9];
      r.nextBytes(data);
      byte[] aad = new byte[33];
      r.nextBytes(aad);
      byte[] header = size % 2 == 0 ? new byte[] {1} : new byte[0];
      byte[] plain = new byte[header.length + size];
      System.arraycopy(header, 0, plain, 0, header.length);
      System.arraycopy(data, 4, plain, header.length, size);
      byte[] a = nat.encrypt(aad, header, data, 4, size);
      byte[] b = jdk.encrypt(aad, header, data, 4, size);
      assertThat(a).hasSize(b.length).hasSize(plain.length + BlobCipher.OVERHEAD);
      assertThat(jdk.decrypt(aad, a, 0, a.length, "n")).as("size " + size).isEqualTo(plain);
      assertThat(nat.decrypt(aad, b, 0, b.length, "j")).as("size " + size).isEqualTo(plain);
      // Inside a larger array, at an offset.
      byte[] framed = new byte[a.length + 10];
      System.arraycopy(a, 0, framed, 6, a.length);
      assertThat(nat.decrypt(aad, framed, 6, a.length, "f")).isEqualTo(plain);
    }
  }

  @Test
  void gcmRejectsEveryAlterationLikeTheJdk() {
    byte[] key = new byte[32];
    new Random(4).nextBytes(key);
    BlobCipher nat = new BlobCipher(key, true);
    BlobCipher jdk = new BlobCipher(key, false);
    byte[] aad = {7, 7};
    byte[] data = "the only copy of a customer's history".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] env = nat.encrypt(aad, new byte[0], data, 0, data.length);
    for (int i = 0; i < env.length; i++) {
      byte[] bad = env.clone();
      bad[i] ^= 0x40;
      for (BlobCipher c : new BlobCipher[] {nat, jdk}) {
        assertThatThrownBy(() -> c.decrypt(aad, bad, 0, bad.length, "pack 1"))
            .isInstanceOf(CorruptObjectException.class).hasMessageContaining("authentication failed");
      }
    }
    assertThatThrownBy(() -> nat.decrypt(new byte[] {7, 8}, env, 0, env.length, "pack 2"))
        .isInstanceOf(CorruptObjectException.class).hasMessageContaining("authentication failed");
    assertThatThrownBy(() -> new BlobCipher(new byte[32], true).decrypt(aad, env, 0, env.length, "pack 3"))
        .isInstanceOf(CorruptObjectException.class).hasMessageContaining("authentication failed");
    assertThat(nat.decrypt(aad, env, 0, env.length, "ok")).isEqualTo(data);
  }

  @Test
  void contextsAreKeptPerThread() throws Exception {
    byte[] key = new byte[32];
    new Random(5).nextBytes(key);
    BlobCipher nat = new BlobCipher(key, true);
    BlobCipher jdk = new BlobCipher(key, false);
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      java.util.List<java.util.concurrent.Future<Boolean>> fs = new java.util.ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int seed = t;
        fs.add(pool.submit(() -> {
          Random r = new Random(seed);
          for (int i = 0; i < 300; i++) {
            byte[] d = new byte[r.nextInt(70_000)];
            r.nextBytes(d);
            byte[] aad = {(byte) i};
            byte[] e = nat.encrypt(aad, new byte[0], d, 0, d.length);
            if (!java.util.Arrays.equals(jdk.decrypt(aad, e, 0, e.length, "x"), d)) {
              return false;
            }
          }
          return true;
        }));
      }
      for (var f : fs) {
        assertThat(f.get()).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
