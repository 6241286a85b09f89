package io.cairn.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Bearer tokens and password hashes. Tokens are 256 random bits with a readable prefix; only
 * their SHA-256 is stored, so a copy of the database does not let anyone in. Passwords are
 * hashed with Argon2id (19 MiB, 2 passes, 1 lane: the OWASP minimum) in the PHC string form.
 */
public final class Secrets {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int MEMORY_KIB = Integer.getInteger("cairn.server.argon2.memoryKiB", 19 * 1024);
  private static final int PASSES = 2;

  private Secrets() {}

  /** A new token such as {@code cairn_agent_3q2...}. */
  public static String newToken(String kind) {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return "cairn_" + kind + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  public static String tokenHash(String token) {
    return HexFormat.of().formatHex(io.cairn.crypto.Sha256.digest(token.getBytes(StandardCharsets.UTF_8)));
  }

  public static String hashPassword(char[] password) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    byte[] h = argon2(password, salt, MEMORY_KIB, PASSES, 1);
    Base64.Encoder e = Base64.getEncoder().withoutPadding();
    return "$argon2id$v=19$m=" + MEMORY_KIB + ",t=" + PASSES + ",p=1$" + e.encodeToString(salt) + "$"
        + e.encodeToString(h);
  }

  /** Constant-time check of {@code password} against a stored PHC string; false when malformed. */
  public static boolean verifyPassword(char[] password, String phc) {
    String[] parts = phc.split("\\$");
    if (parts.length != 6 || !parts[1].equals("argon2id") || !parts[2].equals("v=19")) {
      return false;
    }
    try {
      int m = 0, t = 0, p = 0;
      for (String kv : parts[3].split(",")) {
        String[] x = kv.split("=");
        int v = Integer.parseInt(x[1]);
        switch (x[0]) {
          case "m" -> m = v;
          case "t" -> t = v;
          case "p" -> p = v;
          default -> { return false; }
        }
      }
      if (m < 8 || m > 1 << 22 || t < 1 || t > 16 || p < 1 || p > 16) {
        return false;
      }
      Base64.Decoder d = Base64.getDecoder();
      byte[] salt = d.decode(parts[4]);
      byte[] expected = d.decode(parts[5]);
      return MessageDigest.isEqual(argon2(password, salt, m, t, p), expected);
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static byte[] argon2(char[] password, byte[] salt, int memoryKiB, int passes, int lanes) {
    Argon2BytesGenerator g = new Argon2BytesGenerator();
    g.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id).withVersion(Argon2Parameters.ARGON2_VERSION_13)
        .withSalt(salt).withMemoryAsKB(memoryKiB).withIterations(passes).withParallelism(lanes).build());
    byte[] out = new byte[32];
    g.generateBytes(password, out);
    return out;
  }

  /** A password for the first administrator: 20 characters from an unambiguous alphabet. */
  public static String newPassword() {
    String alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 20; i++) {
      s.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
    }
    return s.toString();
  }
}
