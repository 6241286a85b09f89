package io.cairn.repository;

import io.cairn.format.Id;
import io.cairn.format.SnapshotContent;
import io.cairn.format.SnapshotEnvelope;

/** A snapshot as the key holder sees it: envelope and decrypted content. */
public record Snapshot(Id id, SnapshotEnvelope envelope, SnapshotContent content, int refCount) {}
