package io.cairn.crypto;

import io.cairn.format.CorruptObjectException;
import io.cairn.format.KeyFile;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/** Wraps the master secret under a password (Argon2id + AES-256-GCM) and unwraps it. */
public final class KeyWrapper {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final byte[] AAD = "cairn-key-v1".getBytes(StandardCharsets.US_ASCII);

  private KeyWrapper() {}

  public static KeyFile wrap(MasterKey master, char[] password, KdfParams params, Instant now,
      String host, String username) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    byte[] kek = derive(password, salt, params);
    BlobCipher c = new BlobCipher(kek);
    byte[] secret = master.secret();
    byte[] env = c.encrypt(AAD, new byte[0], secret, 0, secret.length);
    Arrays.fill(secret, (byte) 0);
    byte[] nonce = Arrays.copyOfRange(env, 0, BlobCipher.NONCE);
    byte[] wrapped = Arrays.copyOfRange(env, BlobCipher.NONCE, env.length);
    return new KeyFile("argon2id", params.memoryKiB(), params.iterations(), params.parallelism(),
        salt, nonce, wrapped, now, host, username);
  }

  /**
   * Loads the Argon2id implementation ahead of its first use: linking libargon2 takes about
   * 0.1 s, which a command can spend on another thread while it parses arguments and reads the
   * repository's config.
   */
  public static void prepare() {
    NativeArgon2.available();
  }

  /** The master key, or null when the password does not open this key file. */
  public static MasterKey unwrap(KeyFile file, char[] password) {
    KdfParams params = new KdfParams(file.memoryKiB(), file.iterations(), file.parallelism());
    byte[] kek = derive(password, file.salt(), params);
    BlobCipher c = new BlobCipher(kek);
    byte[] env = new byte[BlobCipher.NONCE + file.wrapped().length];
    System.arraycopy(file.nonce(), 0, env, 0, BlobCipher.NONCE);
    System.arraycopy(file.wrapped(), 0, env, BlobCipher.NONCE, file.wrapped().length);
    try {
      byte[] secret = c.decrypt(AAD, env, 0, env.length, "key file");
      return MasterKey.of(secret);
    } catch (CorruptObjectException e) {
      return null;
    }
  }

  static byte[] derive(char[] password, byte[] salt, KdfParams p) {
    byte[] out = new byte[32];
    byte[] pw = new String(password).getBytes(StandardCharsets.UTF_8);
    try {
      if (NativeArgon2.available()) {
        NativeArgon2.hash(pw, salt, p, out);
      } else {
        javaArgon2(pw, salt, p, out);
      }
    } finally {
      Arrays.fill(pw, (byte) 0);
    }
    return out;
  }

  /** BouncyCastle's Argon2id: used where libargon2 is not installed. */
  static void javaArgon2(byte[] pw, byte[] salt, KdfParams p, byte[] out) {
    Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
        .withVersion(Argon2Parameters.ARGON2_VERSION_13)
        .withSalt(salt)
        .withMemoryAsKB(p.memoryKiB())
        .withIterations(p.iterations())
        .withParallelism(p.parallelism())
        .build();
    Argon2BytesGenerator gen = new Argon2BytesGenerator();
    gen.init(params);
    gen.generateBytes(pw, out);
  }
}
