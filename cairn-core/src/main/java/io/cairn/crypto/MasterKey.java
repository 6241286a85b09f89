package io.cairn.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.KDF;
import javax.crypto.SecretKey;
import javax.crypto.spec.HKDFParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The repository's 32-byte master secret and the sub-keys derived from it with HKDF-SHA-256
 * (docs/format.md, "Keys"). The secret itself never leaves memory except wrapped in a key file.
 */
public final class MasterKey {
  public static final int LENGTH = 32;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final byte[] secret;
  private final BlobCipher cipher;
  private final ChunkIdHasher idHasher;
  private final ChunkIdHasher tagger;

  private MasterKey(byte[] secret) {
    if (secret.length != LENGTH) {
      throw new IllegalArgumentException("master secret must have 32 bytes");
    }
    this.secret = secret.clone();
    this.cipher = new BlobCipher(derive("cairn/v1/blob-aead", 32));
    this.idHasher = new ChunkIdHasher(derive("cairn/v1/blob-id", 32));
    this.tagger = new ChunkIdHasher(derive("cairn/v1/tag", 32));
  }

  public static MasterKey generate() {
    byte[] s = new byte[LENGTH];
    RANDOM.nextBytes(s);
    return new MasterKey(s);
  }

  static MasterKey of(byte[] secret) {
    return new MasterKey(secret);
  }

  byte[] secret() {
    return secret.clone();
  }

  public BlobCipher cipher() {
    return cipher;
  }

  public ChunkIdHasher idHasher() {
    return idHasher;
  }

  /** 256 pseudo-random 64-bit values that make chunk boundaries depend on the key. */
  public long[] gearTable() {
    byte[] b = derive("cairn/v1/chunker-gear", 256 * 8);
    long[] out = new long[256];
    for (int i = 0; i < 256; i++) {
      long v = 0;
      for (int k = 0; k < 8; k++) {
        v = (v << 8) | (b[i * 8 + k] & 0xff);
      }
      out[i] = v;
    }
    return out;
  }

  /**
   * A keyed tag (first 128 bits of HMAC-SHA-256 under the "cairn/v1/tag" sub-key, hex) for
   * values such as backup paths whose equality must be visible without the key, but not the value.
   */
  public String tag(byte[] value) {
    return tagger.tag(value).substring(0, 32);
  }

  private byte[] derive(String info, int length) {
    try {
      KDF hkdf = KDF.getInstance("HKDF-SHA256", "SunJCE");
      SecretKey ikm = new SecretKeySpec(secret, "HKDF-IKM");
      return hkdf.deriveData(HKDFParameterSpec.ofExtract().addIKM(ikm)
          .addSalt("cairn-repository".getBytes(StandardCharsets.US_ASCII))
          .thenExpand(info.getBytes(StandardCharsets.US_ASCII), length));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HKDF-SHA256 is unavailable in this JDK", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MasterKey m && Arrays.equals(secret, m.secret);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(secret);
  }
}
