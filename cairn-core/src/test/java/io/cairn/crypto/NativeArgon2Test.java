package io.cairn.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** libargon2 (through the foreign-function API) and BouncyCastle must derive the same keys. */
class NativeArgon2Test {
  @Test
  void theReferenceLibraryIsUsedWhereInstalled() {
    // .ci/run installs libargon2-1; the tests run with native access enabled, as ./cairn does.
    assertThat(NativeArgon2.available()).as("libargon2.so.1 loaded").isTrue();
  }

  @Test
  void nativeAndJavaDeriveTheSameBytes() {
    String[] passwords = {"", "pw", "correct horse battery staple", "pässwörd ✓ 密码"};
    KdfParams[] costs = {new KdfParams(8, 1, 1), new KdfParams(1024, 1, 1), new KdfParams(4096, 3, 1),
        new KdfParams(2048, 2, 4), new KdfParams(64 * 1024, 3, 1)};
    byte[] salt = new byte[16];
    for (int i = 0; i < salt.length; i++) {
      salt[i] = (byte) (i * 37 + 5);
    }
    for (String pw : passwords) {
      for (KdfParams p : costs) {
        byte[] bytes = pw.getBytes(StandardCharsets.UTF_8);
        byte[] nat = new byte[32];
        byte[] jv = new byte[32];
        NativeArgon2.hash(bytes, salt, p, nat);
        KeyWrapper.javaArgon2(bytes, salt, p, jv);
        assertThat(HexFormat.of().formatHex(nat)).as(pw + " " + p).isEqualTo(HexFormat.of().formatHex(jv));
        assertThat(nat).isNotEqualTo(new byte[32]);
      }
    }
  }

  @Test
  void aKeyFileWrittenWithOneImplementationOpensWithTheOther() {
    MasterKey mk = MasterKey.generate();
    byte[] salt = new byte[16];
    KdfParams p = new KdfParams(1024, 2, 1);
    byte[] nat = KeyWrapper.derive("pw".toCharArray(), salt, p);
    byte[] jv = new byte[32];
    KeyWrapper.javaArgon2("pw".getBytes(StandardCharsets.UTF_8), salt, p, jv);
    assertThat(nat).isEqualTo(jv);
    var kf = KeyWrapper.wrap(mk, "pw".toCharArray(), p, java.time.Instant.EPOCH, "h", "u");
    assertThat(KeyWrapper.unwrap(kf, "pw".toCharArray())).isEqualTo(mk);
  }
}
