package io.cairn.format;

/** Where a blob lives: pack, offset and ciphertext length. */
public record IndexEntry(Id blob, BlobType type, Id pack, long offset, int length) {}
