package io.cairn.store;

/** A stored object's key and size in bytes. */
public record StoreEntry(String key, long size) {}
