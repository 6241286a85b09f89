package io.cairn.repository;

import io.cairn.format.CorruptObjectException;
import io.cairn.format.PackEntry;
import io.cairn.format.PackFormat;
import io.cairn.store.BlobStore;
import java.util.List;

/**
 * A pack's plaintext header, read with two ranged reads (trailer, then header section) instead
 * of the whole pack: what keyless checks, resumed backups and the server need from a pack
 * without downloading its blobs. The header is checksummed and every extent validated.
 *
 * @param entries the blobs the pack holds
 * @param start offset of the header section (also the end of the blobs)
 */
public record PackHeader(List<PackEntry> entries, long start) {

  public static PackHeader read(BlobStore store, String key, long size) {
    if (size < PackFormat.PREAMBLE_LENGTH + PackFormat.TRAILER_LENGTH + 4) {
      throw new CorruptObjectException(key, "too short (" + size + " bytes) to be a pack");
    }
    byte[] trailer = store.getRange(key, size - PackFormat.TRAILER_LENGTH, PackFormat.TRAILER_LENGTH);
    int section = PackFormat.sectionLength(trailer, size, key);
    long start = size - PackFormat.TRAILER_LENGTH - section;
    byte[] tail = store.getRange(key, start, section + PackFormat.TRAILER_LENGTH);
    return new PackHeader(PackFormat.parseTail(tail, size, key), start);
  }
}
