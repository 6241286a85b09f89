package io.cairn.format;

/** One blob inside a pack: its type, keyed id, and where its ciphertext lies. */
public record PackEntry(BlobType type, Id id, long offset, int length) {}
