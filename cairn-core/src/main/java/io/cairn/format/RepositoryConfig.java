package io.cairn.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * The repository's {@code config} object (docs/format.md, "Config"). Holds no secret: chunker
 * boundaries are made secret by a gear table derived from the master key, not by these sizes.
 */
public record RepositoryConfig(int version, Id id, Instant created, int chunkMin, int chunkAvg,
    int chunkMax, int packSize) {
  public static final String MAGIC = "CRCF";
  public static final int FORMAT_VERSION = 1;
  public static final int REPOSITORY_VERSION = 1;

  public RepositoryConfig {
    checkChunkSizes(chunkMin, chunkAvg, chunkMax);
    if (packSize < (1 << 20) || packSize > (1 << 30)) {
      throw new IllegalArgumentException("pack size must be between 1 MiB and 1 GiB, got " + packSize);
    }
  }

  public static void checkChunkSizes(int min, int avg, int max) {
    if (min < 4096 || !(min < avg && avg < max) || max > (64 << 20) || Integer.bitCount(avg) != 1) {
      throw new IllegalArgumentException("chunk sizes must satisfy 4 KiB <= min < avg < max <= 64 MiB"
          + " with avg a power of two; got min=" + min + " avg=" + avg + " max=" + max);
    }
  }

  public byte[] encode() {
    ObjectNode o = Json.object();
    o.put("repositoryVersion", version);
    o.put("id", id.hex());
    o.put("created", created.toString());
    ObjectNode c = o.putObject("chunker");
    c.put("algorithm", "fastcdc");
    c.put("min", chunkMin).put("avg", chunkAvg).put("max", chunkMax);
    o.put("packSize", packSize);
    return Frame.ofJson(MAGIC, FORMAT_VERSION, o);
  }

  public static RepositoryConfig decode(byte[] data, String r) {
    ObjectNode o = Frame.openJson(data, MAGIC, 1, FORMAT_VERSION, r);
    int version = (int) Json.integer(o, "repositoryVersion", 1, Integer.MAX_VALUE, r);
    if (version > REPOSITORY_VERSION) {
      throw new FormatTooNewException(r, version, REPOSITORY_VERSION);
    }
    JsonNode c = o.get("chunker");
    if (c == null || !c.isObject() || !"fastcdc".equals(Json.text(c, "algorithm", r))) {
      throw new CorruptObjectException(r, "chunker settings missing or unknown");
    }
    try {
      return new RepositoryConfig(version, Json.id(o, "id", r), Json.instant(o, "created", r),
          (int) Json.integer(c, "min", 0, Integer.MAX_VALUE, r),
          (int) Json.integer(c, "avg", 0, Integer.MAX_VALUE, r),
          (int) Json.integer(c, "max", 0, Integer.MAX_VALUE, r),
          (int) Json.integer(o, "packSize", 0, Integer.MAX_VALUE, r));
    } catch (IllegalArgumentException e) {
      throw new CorruptObjectException(r, e.getMessage(), e);
    }
  }
}
