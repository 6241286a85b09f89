package io.cairn.format;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Base64;

/**
 * A key file (docs/format.md, "Key files"): the master secret wrapped with a key derived from
 * one password by Argon2id. A repository has one per password.
 */
public record KeyFile(String kdf, int memoryKiB, int iterations, int parallelism, byte[] salt,
    byte[] nonce, byte[] wrapped, Instant created, String host, String username) {
  public static final String MAGIC = "CRKY";
  public static final int VERSION = 1;

  public byte[] encode() {
    ObjectNode o = Json.object();
    Base64.Encoder b64 = Base64.getEncoder();
    o.put("kdf", kdf).put("memoryKiB", memoryKiB).put("iterations", iterations)
        .put("parallelism", parallelism).put("salt", b64.encodeToString(salt))
        .put("nonce", b64.encodeToString(nonce)).put("wrapped", b64.encodeToString(wrapped))
        .put("created", created.toString()).put("host", host).put("username", username);
    return Frame.ofJson(MAGIC, VERSION, o);
  }

  public static KeyFile decode(byte[] data, String r) {
    ObjectNode o = Frame.openJson(data, MAGIC, 1, VERSION, r);
    String kdf = Json.text(o, "kdf", r);
    if (!"argon2id".equals(kdf)) {
      throw new CorruptObjectException(r, "unknown key derivation '" + kdf + "'");
    }
    return new KeyFile(kdf, (int) Json.integer(o, "memoryKiB", 8, 4 << 20, r),
        (int) Json.integer(o, "iterations", 1, 64, r), (int) Json.integer(o, "parallelism", 1, 64, r),
        b64(o, "salt", 16, 64, r), b64(o, "nonce", 12, 12, r), b64(o, "wrapped", 48, 48, r),
        Json.instant(o, "created", r), Json.text(o, "host", r), Json.text(o, "username", r));
  }

  private static byte[] b64(ObjectNode o, String field, int min, int max, String r) {
    String s = Json.text(o, field, r);
    byte[] b;
    try {
      b = Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      throw new CorruptObjectException(r, "field '" + field + "' is not base64", e);
    }
    if (b.length < min || b.length > max) {
      throw new CorruptObjectException(r, "field '" + field + "' has " + b.length + " bytes");
    }
    return b;
  }
}
