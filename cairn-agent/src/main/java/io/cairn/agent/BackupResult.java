package io.cairn.agent;

import io.cairn.format.Id;
import io.cairn.format.SnapshotSummary;
import java.util.List;

/** The snapshot a backup wrote, its statistics, and the problems it reported. */
public record BackupResult(Id snapshot, SnapshotSummary summary, List<String> errors,
    List<String> warnings, boolean partial) {}
