package io.cairn.store;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The one registry from a location to a store, for the CLI and every tool that opens one
 * repository: a directory as it is, and every remote store wrapped in the same {@link
 * RetryingStore}. The vault server, which opens many repositories in one bucket over one shared S3
 * client with its Object Lock mode, builds its stores in its {@code Placement} from the same
 * pieces ({@link S3Store#on}, {@link RetryingStore}).
 */
public final class Stores {
  private Stores() {}

  /** A credential for a vault server repository: the bearer token and the certificate pin (or null). */
  public record ServerCredential(String token, String pin) {}

  /**
   * What opening a remote store may need.
   *
   * @param retryFor how long one operation keeps retrying transient failures
   * @param retries told when a store stops and starts answering
   * @param serverCredential the credential for a server URL (the CLI's enrollment file)
   * @param serverWarnings each distinct warning a server sends (soft quota), once
   * @param s3Keys explicit S3 keys, or null for the SDK's chain (environment, profile)
   * @param s3Tuning when to upload to a bucket in parts
   */
  public record Access(Duration retryFor, RetryingStore.Listener retries,
      Function<String, ServerCredential> serverCredential, Consumer<String> serverWarnings,
      S3Store.Keys s3Keys, S3Store.Tuning s3Tuning) {

    /** Defaults: retries for {@code retryFor}, told to nobody; no server credential; S3 keys from the environment. */
    public static Access of(Duration retryFor) {
      return new Access(retryFor, RetryingStore.Listener.NONE, url -> {
        throw new IllegalArgumentException("no credential for " + url);
      }, w -> { }, null, S3Store.Tuning.DEFAULT);
    }

    public Access withRetries(RetryingStore.Listener l) {
      return new Access(retryFor, l, serverCredential, serverWarnings, s3Keys, s3Tuning);
    }

    public Access withServer(Function<String, ServerCredential> credential, Consumer<String> warnings) {
      return new Access(retryFor, retries, credential, warnings, s3Keys, s3Tuning);
    }

    public Access withS3(S3Store.Keys keys, S3Store.Tuning tuning) {
      return new Access(retryFor, retries, serverCredential, serverWarnings, keys, tuning);
    }
  }

  /** Opens the store at a location given as text (see {@link StoreLocation#parse}). */
  public static BlobStore open(String location, Access access) {
    return open(StoreLocation.parse(location), access);
  }

  public static BlobStore open(StoreLocation location, Access access) {
    return switch (location) {
      case StoreLocation.Directory d -> new FileSystemStore(d.path());
      case StoreLocation.Bucket b -> new RetryingStore(S3Store.open(b, access.s3Keys(), access.s3Tuning()),
          access.retryFor(), access.retries());
      case StoreLocation.Server s -> {
        ServerCredential c = access.serverCredential().apply(s.url());
        yield new RetryingStore(new HttpStore(s.url(), c.token(), c.pin(), access.serverWarnings()),
            access.retryFor(), access.retries());
      }
    };
  }
}
