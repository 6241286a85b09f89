package io.cairn.format;

/** An extended attribute: raw name and value bytes. */
public record Xattr(byte[] name, byte[] value) {}
