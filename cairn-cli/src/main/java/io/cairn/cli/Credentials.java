package io.cairn.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cairn.format.Json;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The agent's credentials for server repositories: one entry per repository URL with the agent
 * token and the pinned certificate fingerprint (docs/format.md, "Agent credentials file").
 * {@code CAIRN_TOKEN} and {@code CAIRN_SERVER_FINGERPRINT} override the file.
 */
final class Credentials {
  static final int VERSION = 1;

  record Entry(String token, String fingerprint) {}

  private Credentials() {}

  static Entry forRepository(Path file, String url) {
    String token = System.getenv("CAIRN_TOKEN");
    String pin = System.getenv("CAIRN_SERVER_FINGERPRINT");
    JsonNode e = read(file).path("repositories").path(normalise(url));
    if (token == null || token.isBlank()) {
      token = e.path("token").asText(null);
    }
    if (pin == null || pin.isBlank()) {
      pin = e.path("fingerprint").asText(null);
    }
    return new Entry(token, pin);
  }

  static String normalise(String url) {
    return url.replaceAll("/+$", "");
  }

  static ObjectNode read(Path file) {
    if (!Files.exists(file)) {
      ObjectNode o = Json.object();
      o.put("version", VERSION);
      o.putObject("repositories");
      return o;
    }
    try {
      ObjectNode o = Json.parseObject(Files.readAllBytes(file), file.toString());
      int v = o.path("version").asInt(-1);
      if (v != VERSION) {
        throw new IllegalArgumentException("credentials file " + file + " has version " + v + "; this cairn reads "
            + "version " + VERSION);
      }
      return o;
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read credentials file " + file + ": " + e.getMessage(), e);
    }
  }

  /** Adds or replaces one repository's entry; the file is written whole, 0600, then moved into place. */
  static void save(Path file, String url, ObjectNode entry) {
    ObjectNode o = read(file);
    o.with("repositories").set(normalise(url), entry);
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, ".credentials", ".tmp",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.write(tmp, Json.pretty(o).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot write credentials file " + file + ": " + e.getMessage(), e);
    }
  }
}
