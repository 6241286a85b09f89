package io.cairn.repository;

import io.cairn.format.CorruptObjectException;
import io.cairn.format.Id;
import io.cairn.format.IndexEntry;
import io.cairn.format.IndexSegment;
import io.cairn.store.BlobStore;
import io.cairn.store.StoreKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * All index segments of a repository, each memory-mapped from a local cache file, so the heap
 * holds only a few objects per segment however many blobs there are (45 bytes per blob on
 * disk, see docs/design.md, "Index"). A segment is downloaded once, checked in full, and then
 * trusted from the cache.
 */
public final class MasterIndex implements AutoCloseable {
  private final BlobStore store;
  private final Path cacheDir;
  private final Arena arena = Arena.ofShared();
  private final List<IndexSegment> segments = new CopyOnWriteArrayList<>();
  private final Set<Id> loaded = new HashSet<>();

  MasterIndex(BlobStore store, Path cacheDir) {
    this.store = store;
    this.cacheDir = cacheDir;
  }

  /**
   * Maps every segment listed in the store that is not mapped yet, and stops using segments
   * that are no longer listed (a prune replaced them); their cache files stay until evicted.
   */
  synchronized void refresh() {
    for (int attempt = 0; ; attempt++) {
      try {
        refreshOnce();
        return;
      } catch (io.cairn.format.ObjectNotFoundException e) {
        // A prune replaced a segment between listing and reading it: list again.
        if (attempt >= 5) {
          throw e;
        }
      }
    }
  }

  private void refreshOnce() {
    Set<Id> present = new java.util.LinkedHashSet<>();
    for (StoreKeys.Named e : StoreKeys.listNamed(store, StoreKeys.INDEX)) {
      present.add(e.id());
    }
    // Segments a prune replaced: forget them so lookups do not find entries of removed packs.
    if (!present.containsAll(loaded)) {
      segments.removeIf(s -> !present.contains(StoreKeys.idOf(s.resource())));
      loaded.retainAll(present);
    }
    for (Id id : present) {
      if (!loaded.contains(id)) {
        add(id);
      }
    }
  }

  synchronized void add(Id id) {
    if (loaded.contains(id)) {
      return;
    }
    try {
      Files.createDirectories(cacheDir);
      Path cached = cacheDir.resolve(id.hex());
      if (Files.exists(cached)) {
        try {
          map(id, cached);
          return;
        } catch (CorruptObjectException e) {
          // A damaged cache file is only a cache miss: fetch the segment again.
          Files.deleteIfExists(cached);
        }
      }
      String key = StoreKeys.index(id);
      byte[] data = ContentAddressed.get(store, key);
      IndexSegment.open(data, key);
      writeCache(id, data);
      map(id, cached);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot use the index cache in " + cacheDir + ": " + e.getMessage(), e);
    }
  }

  private void map(Id id, Path cached) throws IOException {
    try (FileChannel ch = FileChannel.open(cached, StandardOpenOption.READ)) {
      MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
      segments.add(IndexSegment.open(seg, StoreKeys.index(id), false));
    }
    loaded.add(id);
  }

  private void writeCache(Id id, byte[] data) throws IOException {
    CacheFiles.write(cacheDir.resolve(id.hex()), data);
  }

  /** Adds a segment this process just wrote (already in the store). */
  synchronized void addWritten(Id id, byte[] data) {
    if (loaded.contains(id)) {
      return;
    }
    try {
      Files.createDirectories(cacheDir);
      writeCache(id, data);
      map(id, cacheDir.resolve(id.hex()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the index cache in " + cacheDir, e);
    }
  }

  public IndexEntry lookup(Id blob) {
    for (IndexSegment s : segments) {
      IndexEntry e = s.lookup(blob);
      if (e != null) {
        return e;
      }
    }
    return null;
  }

  /**
   * Every indexed copy of a blob, one per pack, in the order {@link #lookup} would try them: a
   * tree has two (docs/format.md, "Ditto copies of trees"), and two sessions that stored the same
   * blob at once left one each.
   */
  public List<IndexEntry> lookupAll(Id blob) {
    List<IndexEntry> out = new ArrayList<>(2);
    for (IndexSegment s : segments) {
      IndexEntry e = s.lookup(blob);
      if (e != null && out.stream().noneMatch(o -> o.pack().equals(e.pack()))) {
        out.add(e);
      }
    }
    return out;
  }

  public boolean contains(Id blob) {
    for (IndexSegment s : segments) {
      if (s.contains(blob)) {
        return true;
      }
    }
    return false;
  }

  public List<IndexSegment> segments() {
    return new ArrayList<>(segments);
  }

  public long size() {
    long n = 0;
    for (IndexSegment s : segments) {
      n += s.size();
    }
    return n;
  }

  @Override
  public void close() {
    segments.clear();
    arena.close();
  }
}
