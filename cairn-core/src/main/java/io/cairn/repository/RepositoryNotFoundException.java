package io.cairn.repository;

import io.cairn.format.CairnException;

/** The location holds no repository (no config object). */
public class RepositoryNotFoundException extends CairnException {
  public RepositoryNotFoundException(String location) {
    super("no repository at " + location + " (no config found); create one with 'cairn init'");
  }
}
