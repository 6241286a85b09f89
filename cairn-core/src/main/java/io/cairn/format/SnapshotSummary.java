package io.cairn.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Statistics of one backup, kept in the plaintext envelope so that the server can meter
 * without a key.
 *
 * @param logicalBytes sum of the sizes of all files in the snapshot
 * @param newLogicalBytes plaintext bytes of blobs this snapshot added to the repository
 * @param newStoredBytes ciphertext bytes of those blobs (after compression and encryption)
 * @param errors entries that could not be read and were skipped
 */
public record SnapshotSummary(
    long files,
    long directories,
    long otherEntries,
    long logicalBytes,
    long newFiles,
    long changedFiles,
    long unchangedFiles,
    long blobs,
    long newBlobs,
    long newLogicalBytes,
    long newStoredBytes,
    long errors,
    long durationMillis) {

  ObjectNode toJson() {
    ObjectNode o = Json.object();
    o.put("files", files).put("directories", directories).put("otherEntries", otherEntries)
        .put("logicalBytes", logicalBytes).put("newFiles", newFiles).put("changedFiles", changedFiles)
        .put("unchangedFiles", unchangedFiles).put("blobs", blobs).put("newBlobs", newBlobs)
        .put("newLogicalBytes", newLogicalBytes).put("newStoredBytes", newStoredBytes)
        .put("errors", errors).put("durationMillis", durationMillis);
    return o;
  }

  static SnapshotSummary fromJson(JsonNode o, String r) {
    if (o == null || !o.isObject()) {
      throw new CorruptObjectException(r, "summary missing");
    }
    long max = Long.MAX_VALUE;
    return new SnapshotSummary(Json.integer(o, "files", 0, max, r),
        Json.integer(o, "directories", 0, max, r), Json.integer(o, "otherEntries", 0, max, r),
        Json.integer(o, "logicalBytes", 0, max, r), Json.integer(o, "newFiles", 0, max, r),
        Json.integer(o, "changedFiles", 0, max, r), Json.integer(o, "unchangedFiles", 0, max, r),
        Json.integer(o, "blobs", 0, max, r), Json.integer(o, "newBlobs", 0, max, r),
        Json.integer(o, "newLogicalBytes", 0, max, r), Json.integer(o, "newStoredBytes", 0, max, r),
        Json.integer(o, "errors", 0, max, r), Json.integer(o, "durationMillis", 0, max, r));
  }
}
