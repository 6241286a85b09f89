package io.cairn.format;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** JSON helpers for the small self-describing parts of the format (config, key files, envelopes). */
public final class Json {
  public static final ObjectMapper MAPPER = new ObjectMapper();

  static {
    MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
        .maxNestingDepth(64).maxStringLength(1 << 20).maxNumberLength(64).build());
  }

  private Json() {}

  /** Creates the mapper (about 0.1 s of class loading) ahead of use, e.g. on another thread at start-up. */
  public static void prepare() {
    MAPPER.getTypeFactory();
  }

  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  public static byte[] bytes(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String pretty(Object value) {
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String compact(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Parses a JSON object, mapping every failure to a {@link CorruptObjectException}. */
  public static ObjectNode parseObject(byte[] data, String resource) {
    try {
      JsonNode n = MAPPER.readTree(new String(data, StandardCharsets.UTF_8));
      if (n == null || !n.isObject()) {
        throw new CorruptObjectException(resource, "expected a JSON object");
      }
      return (ObjectNode) n;
    } catch (JsonProcessingException e) {
      throw new CorruptObjectException(resource, "malformed JSON: " + e.getOriginalMessage(), e);
    } catch (RuntimeException e) {
      if (e instanceof CairnException) {
        throw e;
      }
      throw new CorruptObjectException(resource, "malformed JSON: " + e, e);
    }
  }

  public static String text(JsonNode obj, String field, String resource) {
    JsonNode n = obj.get(field);
    if (n == null || !n.isTextual()) {
      throw new CorruptObjectException(resource, "field '" + field + "' missing or not a string");
    }
    return n.asText();
  }

  public static String optText(JsonNode obj, String field, String resource) {
    JsonNode n = obj.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw new CorruptObjectException(resource, "field '" + field + "' is not a string");
    }
    return n.asText();
  }

  public static long integer(JsonNode obj, String field, long min, long max, String resource) {
    JsonNode n = obj.get(field);
    if (n == null || !n.canConvertToLong() || !n.isIntegralNumber()) {
      throw new CorruptObjectException(resource, "field '" + field + "' missing or not an integer");
    }
    long v = n.asLong();
    if (v < min || v > max) {
      throw new CorruptObjectException(resource, "field '" + field + "' = " + v + " outside ["
          + min + ", " + max + "]");
    }
    return v;
  }

  public static long optInteger(JsonNode obj, String field, long dflt, String resource) {
    JsonNode n = obj.get(field);
    if (n == null || n.isNull()) {
      return dflt;
    }
    if (!n.canConvertToLong() || !n.isIntegralNumber()) {
      throw new CorruptObjectException(resource, "field '" + field + "' is not an integer");
    }
    return n.asLong();
  }

  public static Instant instant(JsonNode obj, String field, String resource) {
    String s = text(obj, field, resource);
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      throw new CorruptObjectException(resource, "field '" + field + "' is not a timestamp: " + s, e);
    }
  }

  public static Instant optInstant(JsonNode obj, String field, String resource) {
    String s = optText(obj, field, resource);
    if (s == null) {
      return null;
    }
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      throw new CorruptObjectException(resource, "field '" + field + "' is not a timestamp: " + s, e);
    }
  }

  public static Id id(JsonNode obj, String field, String resource) {
    String s = text(obj, field, resource);
    if (!Id.isHex(s)) {
      throw new CorruptObjectException(resource, "field '" + field + "' is not a 64-digit id");
    }
    return Id.parse(s);
  }

  public static Id optId(JsonNode obj, String field, String resource) {
    String s = optText(obj, field, resource);
    if (s == null) {
      return null;
    }
    if (!Id.isHex(s)) {
      throw new CorruptObjectException(resource, "field '" + field + "' is not a 64-digit id");
    }
    return Id.parse(s);
  }
}
