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
}
