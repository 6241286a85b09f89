package io.cairn.server;

import io.cairn.store.BlobStore;
import io.cairn.store.FileSystemStore;
import io.cairn.store.RetryingStore;
import io.cairn.store.S3Store;
import io.cairn.store.StoreLocation;
import java.nio.file.Path;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where each tenant's repository is kept (docs/server.md, "Storage in a bucket"): {@code DATA/repos/TENANT/REPO}
 * by default, or in a bucket, as {@code BUCKET/PREFIX/TENANT/REPO/} (shared) or {@code
 * BUCKET-TENANT/PREFIX/REPO/} (a bucket per tenant). Either way it is a plain repository that
 * {@code cairn -r LOCATION} reads without the server. All bucket stores share one client (one
 * connection pool), and each is wrapped in the same {@link RetryingStore} as the CLI's.
 */
final class Placement implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Placement.class);

  private final Path root;
  private final Path spool;
  private final ServerConfig.Storage storage;
  private final software.amazon.awssdk.services.s3.S3Client client;
  private final java.util.function.UnaryOperator<BlobStore> faults;
  /** Buckets known to exist: a server with many repositories in one bucket looks it up once. */
  private final java.util.Set<String> buckets = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final RetryingStore.Listener retries = new RetryingStore.Listener() {
    @Override
    public void retrying(String location, String reason, Instant giveUpAt) {
      LOG.warn("object store {}: {}; retrying until {}", location, reason, giveUpAt);
    }

    @Override
    public void recovered(String location, int attempts) {
      LOG.info("object store {} answers again after {} failed attempts", location, attempts);
    }
  };

  /** @param faults wraps each bucket store beneath the retries; the identity but in fault-injection tests */
  Placement(Path dataDir, ServerConfig.Storage storage, java.util.function.UnaryOperator<BlobStore> faults) {
    this.root = dataDir.resolve("repos");
    this.spool = dataDir.resolve("spool");
    this.storage = storage;
    this.faults = faults;
    this.client = storage.inBucket() ? S3Store.client(storage.location().endpoint(), storage.keys()) : null;
  }

  /** The location of a tenant's repository, as {@code cairn -r} takes it. */
  StoreLocation locate(String tenant, String repository) {
    if (!storage.inBucket()) {
      return new StoreLocation.Directory(root.resolve(tenant).resolve(repository));
    }
    StoreLocation.Bucket b = storage.location();
    return switch (storage.layout()) {
      case SHARED -> b.under(tenant + "/" + repository);
      case BUCKET_PER_TENANT -> {
        String bucket = b.bucket() + "-" + tenant;
        if (bucket.length() > 63) {
          throw ApiException.badRequest("the tenant's bucket name " + bucket + " would be longer than S3's 63 "
              + "characters; choose a shorter tenant name or a shorter storage.location bucket");
        }
        yield new StoreLocation.Bucket(b.endpoint(), bucket, b.prefix() + repository + "/");
      }
    };
  }

  /** Opens a tenant's repository store, making its bucket first when it is missing. */
  BlobStore open(String tenant, String repository) {
    StoreLocation where = locate(tenant, repository);
    if (where instanceof StoreLocation.Bucket b) {
      BlobStore s = new RetryingStore(faults.apply(S3Store.on(client, b, S3Store.Tuning.DEFAULT, storage.objectLock())),
          storage.retryFor(), retries);
      if (!buckets.contains(b.bucket())) {
        s.init();
        buckets.add(b.bucket());
      }
      // Packs arriving for a bucket wait in DATA/spool, which every start empties (clearSpool),
      // rather than in the system's temporary directory, where a crash would leave them for good.
      return new io.cairn.store.ForwardingStore(s) {
        @Override
        public Path createSpoolFile() throws java.io.IOException {
          return java.nio.file.Files.createTempFile(java.nio.file.Files.createDirectories(spool), "pack-", ".spool");
        }
      };
    }
    return new FileSystemStore(((StoreLocation.Directory) where).path());
  }

  /** Removes what the last run left in DATA/spool: no upload is in flight before the server listens. */
  void clearSpool() {
    if (!java.nio.file.Files.isDirectory(spool)) {
      return;
    }
    try (var files = java.nio.file.Files.list(spool)) {
      for (Path f : files.toList()) {
        java.nio.file.Files.deleteIfExists(f);
      }
    } catch (java.io.IOException e) {
      LOG.warn("could not empty {}: {}", spool, e.toString());
    }
  }

  boolean inBucket() {
    return storage.inBucket();
  }

  long capacityBytes() {
    return storage.capacityBytes();
  }

  /** The bucket and its layout, for the dashboard. */
  String describeBucket() {
    return storage.location().text() + " (" + storage.layout().name().toLowerCase().replace('_', '-') + ")";
  }

  @Override
  public void close() {
    if (client != null) {
      client.close();
    }
  }
}
