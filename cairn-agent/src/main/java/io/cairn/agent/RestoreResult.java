package io.cairn.agent;

import java.util.List;

/** What a restore did (or would do, on a dry run). */
public record RestoreResult(long files, long directories, long others, long bytes,
    long verifiedFiles, List<String> errors, List<String> warnings, boolean dryRun) {}
