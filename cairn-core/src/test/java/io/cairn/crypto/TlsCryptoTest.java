package io.cairn.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.Security;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class TlsCryptoTest {

  /** The build ships the provider's library for Linux on x86-64, the platform these tests run on. */
  @Test
  void theNativeProviderServesAesGcmFirstAndComputesTheSameBytes() throws Exception {
    assertThat(System.getProperty("os.name") + "/" + System.getProperty("os.arch")).isEqualTo("Linux/amd64");

    assertThat(TlsCrypto.prefer()).isTrue();
    assertThat(TlsCrypto.active()).isTrue();

    Cipher first = Cipher.getInstance("AES/GCM/NoPadding");
    assertThat(first.getProvider().getName()).isEqualTo("AmazonCorrettoCryptoProvider");
    Cipher jdk = Cipher.getInstance("AES/GCM/NoPadding", Security.getProvider("SunJCE"));
    byte[] key = new byte[32];
    byte[] iv = new byte[12];
    byte[] aad = {1, 2, 3};
    byte[] plain = new byte[100_000];
    new java.util.Random(1).nextBytes(plain);
    new java.util.Random(2).nextBytes(key);
    new java.util.Random(3).nextBytes(iv);
    for (Cipher c : new Cipher[] {first, jdk}) {
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
      c.updateAAD(aad);
    }
    byte[] sealed = first.doFinal(plain);
    assertThat(sealed).isEqualTo(jdk.doFinal(plain));

    jdk.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
    jdk.updateAAD(aad);
    assertThat(jdk.doFinal(sealed)).isEqualTo(plain);
  }

  /**
   * With the native provider first, the repository's own envelopes still seal in place on the
   * JDK's path (where libcrypto is missing): the first provider's AES-GCM refused that with a
   * ShortBufferException until the path named the JDK's provider.
   */
  @Test
  void theRepositorysJdkPathIsUnchangedWithTheProviderFirst() {
    assertThat(TlsCrypto.prefer()).isTrue();
    byte[] key = new byte[32];
    new java.util.Random(4).nextBytes(key);
    BlobCipher jdk = new BlobCipher(key, false);
    byte[] plain = new byte[200_000];
    new java.util.Random(5).nextBytes(plain);
    java.nio.ByteBuffer env = java.nio.ByteBuffer.allocateDirect(BlobCipher.OVERHEAD + plain.length);
    env.put(BlobCipher.NONCE, plain);

    int n = jdk.sealInPlace(new byte[] {1}, env, plain.length);

    byte[] sealed = new byte[n];
    env.get(0, sealed);
    assertThat(new BlobCipher(key, true).decrypt(new byte[] {1}, sealed, 0, n, "t")).isEqualTo(plain);
  }
}
