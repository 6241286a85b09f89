package io.cairn.repository;

import io.cairn.format.Id;
import java.time.Instant;

/** A key file as listed by {@code cairn key list}. */
public record KeyInfo(Id id, Instant created, String host, String username, boolean current) {}
