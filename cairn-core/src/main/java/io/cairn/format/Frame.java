package io.cairn.format;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The frame every small repository object is stored in (docs/format.md, "Frames"):
 * {@code magic[4] | version u16 | flags u16 | body | crc32c u32}, the checksum covering every
 * preceding byte. Magics never change; readers accept a version range.
 */
public final class Frame {
  public static final int HEADER_LENGTH = 8;
  public static final int FOOTER_LENGTH = 4;

  private Frame() {}

  /** The body of an opened frame and the version it was written with. */
  public record Opened(int version, int flags, ByteReader body) {}

  public static ByteWriter begin(String magic, int version) {
    ByteWriter w = new ByteWriter();
    w.bytes(magicBytes(magic));
    w.u16(version);
    w.u16(0);
    return w;
  }

  /** Appends the checksum footer and returns the finished object. */
  public static byte[] finish(ByteWriter w) {
    CRC32C crc = new CRC32C();
    crc.update(w.array(), 0, w.length());
    w.u32(crc.getValue());
    return w.toByteArray();
  }

  /** A frame whose body is a JSON object (config, key files, session markers, locks). */
  public static byte[] ofJson(String magic, int version, com.fasterxml.jackson.databind.node.ObjectNode body) {
    ByteWriter w = begin(magic, version);
    w.bytes(Json.bytes(body));
    return finish(w);
  }

  /** Opens a frame as {@link #open} does and parses its body as a JSON object. */
  public static com.fasterxml.jackson.databind.node.ObjectNode openJson(byte[] data, String magic, int minVersion,
      int maxVersion, String resource) {
    ByteReader body = open(data, magic, minVersion, maxVersion, resource).body();
    return Json.parseObject(body.bytes(body.remaining()), resource);
  }

  public static long crc32c(byte[] b, int off, int len) {
    CRC32C crc = new CRC32C();
    crc.update(b, off, len);
    return crc.getValue();
  }

  /**
   * Checks magic, version range and checksum; returns a reader over the body.
   *
   * @throws CorruptObjectException if the object is not a well-formed frame of this kind
   * @throws FormatTooNewException if the version is newer than {@code maxVersion}
   */
  public static Opened open(byte[] data, String magic, int minVersion, int maxVersion,
      String resource) {
    if (data.length < HEADER_LENGTH + FOOTER_LENGTH) {
      throw new CorruptObjectException(resource, "too short (" + data.length + " bytes) to be a "
          + magic + " object");
    }
    byte[] m = magicBytes(magic);
    for (int i = 0; i < 4; i++) {
      if (data[i] != m[i]) {
        throw new CorruptObjectException(resource, "bad magic, expected " + magic);
      }
    }
    ByteReader tail = new ByteReader(data, data.length - FOOTER_LENGTH, FOOTER_LENGTH, resource);
    long stored = tail.u32();
    long actual = crc32c(data, 0, data.length - FOOTER_LENGTH);
    if (stored != actual) {
      throw new CorruptObjectException(resource, "checksum mismatch (stored "
          + Long.toHexString(stored) + ", computed " + Long.toHexString(actual) + ")");
    }
    ByteReader head = new ByteReader(data, 4, 4, resource);
    int version = head.u16();
    int flags = head.u16();
    if (version > maxVersion) {
      throw new FormatTooNewException(resource, version, maxVersion);
    }
    if (version < minVersion) {
      throw new CorruptObjectException(resource, "format version " + version
          + " is older than the oldest supported (" + minVersion + ")");
    }
    ByteReader body = new ByteReader(data, HEADER_LENGTH,
        data.length - HEADER_LENGTH - FOOTER_LENGTH, resource);
    return new Opened(version, flags, body);
  }

  static byte[] magicBytes(String magic) {
    byte[] m = magic.getBytes(StandardCharsets.US_ASCII);
    if (m.length != 4) {
      throw new IllegalArgumentException("magic must be 4 ASCII bytes: " + magic);
    }
    return m;
  }
}
