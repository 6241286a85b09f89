package io.cairn.store;

import io.cairn.format.ObjectNotFoundException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ObjectLockEnabled;
import software.amazon.awssdk.services.s3.model.ObjectLockRetention;
import software.amazon.awssdk.services.s3.model.ObjectLockRetentionMode;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A repository in an S3 bucket (AWS S3, Ceph RGW, MinIO, s3proxy), under an optional prefix, on
 * the AWS SDK for Java v2 with path-style addressing.
 *
 * <p>{@link #putIfAbsent} is a conditional write ({@code If-None-Match: *}, answered 412 when the
 * key exists): the store itself decides the race between two writers, and an object appears
 * whole or not at all. Objects above the multipart threshold are sent in parts and completed
 * with the same condition. Transient failures (network, 429, 5xx, SlowDown) raise {@link
 * TransientStoreException} for {@link RetryingStore}; the SDK's own retries are off so that one
 * policy, with one time budget, governs every remote store.
 *
 * <p>The SDK's default request checksums (CRC32 trailers in aws-chunked bodies) are asked for
 * only where an operation requires them: not every S3-compatible server accepts them, and every
 * Cairn object is checked end to end anyway (content-addressed names, checksummed frames).
 */
public final class S3Store implements BlobStore {
  private static final String OCTETS = "application/octet-stream";

  /** When to upload in parts, and how large each part is (S3's minimum part is 5 MiB). */
  public record Tuning(long multipartAbove, int partSize) {
    public static final Tuning DEFAULT = new Tuning(64L << 20, 16 << 20);

    public Tuning {
      if (partSize < 5 << 20) {
        throw new IllegalArgumentException("an S3 part is at least 5 MiB, not " + partSize + " bytes");
      }
      if (multipartAbove < partSize) {
        throw new IllegalArgumentException("the multipart threshold must be at least one part");
      }
    }
  }

  /** An access key pair given explicitly (the server's config); null to use the SDK's usual chain. */
  public record Keys(String accessKeyId, String secretAccessKey) {
    public Keys {
      if (accessKeyId == null || accessKeyId.isBlank() || secretAccessKey == null || secretAccessKey.isBlank()) {
        throw new IllegalArgumentException("an S3 access key needs both its id and its secret");
      }
    }

    @Override
    public String toString() {
      return "Keys[" + accessKeyId + ", secret hidden]";
    }
  }

  private final S3Client s3;
  private final StoreLocation.Bucket where;
  private final String bucket;
  private final String base;
  private final Tuning tuning;
  private final boolean ownsClient;
  private final LockMode lockMode;
  /** Whether the bucket has Object Lock (and so versioning), looked up once. */
  private volatile Boolean bucketLocks;

  /** The S3 Object Lock retention mode set on objects (docs/server.md, "Object Lock"). */
  public enum LockMode {
    /** Nobody can shorten the retention or delete a locked version, not even the bucket's owner. */
    COMPLIANCE,
    /** Users with s3:BypassGovernanceRetention can; everybody else cannot. */
    GOVERNANCE
  }

  private S3Store(S3Client s3, StoreLocation.Bucket where, Tuning tuning, boolean ownsClient, LockMode lockMode) {
    this.s3 = s3;
    this.where = where;
    this.bucket = where.bucket();
    this.base = where.prefix();
    this.tuning = tuning;
    this.ownsClient = ownsClient;
    this.lockMode = lockMode;
  }

  /**
   * Opens the bucket at {@code where} with its own client.
   *
   * @param keys explicit keys, or null for the SDK's chain ({@code AWS_ACCESS_KEY_ID} and {@code
   *     AWS_SECRET_ACCESS_KEY}, {@code AWS_PROFILE} and the shared credentials file, ...)
   * @throws IllegalArgumentException when no credentials can be found
   */
  public static S3Store open(StoreLocation.Bucket where, Keys keys, Tuning tuning) {
    if ("https".equals(where.endpoint().getScheme())) {
      io.cairn.crypto.TlsCrypto.prefer();
    }
    return new S3Store(client(where.endpoint(), keys), where, tuning, true, null);
  }

  /**
   * A store on a client shared with other stores of the same endpoint (the server's tenants); not
   * closed with it.
   *
   * @param lockMode the retention mode {@link #lockUntil} sets, and whether {@link #init} creates
   *     a missing bucket with Object Lock; null for neither
   */
  public static S3Store on(S3Client client, StoreLocation.Bucket where, Tuning tuning, LockMode lockMode) {
    return new S3Store(client, where, tuning, false, lockMode);
  }

  /** A client for an endpoint, with the settings every Cairn store uses. */
  public static S3Client client(URI endpoint, Keys keys) {
    AwsCredentialsProvider credentials = keys != null
        ? StaticCredentialsProvider.create(AwsBasicCredentials.create(keys.accessKeyId(), keys.secretAccessKey()))
        : DefaultCredentialsProvider.builder().build();
    try {
      credentials.resolveCredentials();
    } catch (SdkException e) {
      throw new IllegalArgumentException("no S3 credentials for " + endpoint + ": set AWS_ACCESS_KEY_ID and "
          + "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with a profile in ~/.aws/credentials (" + e.getMessage() + ")", e);
    }
    return S3Client.builder()
        .endpointOverride(endpoint)
        .region(Region.of(region(endpoint)))
        .forcePathStyle(true)
        // Over plain http the SDK would sign bodies in aws-chunked encoding; Ceph RGW 16 rejects
        // an empty one (XAmzContentSHA256Mismatch). Signing the whole body works everywhere.
        .serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(false).build())
        .credentialsProvider(credentials)
        .httpClientBuilder(Apache5HttpClient.builder()
            .connectionTimeout(Duration.ofSeconds(15))
            .socketTimeout(Duration.ofMinutes(2))
            .maxConnections(64)
            // Not for every request with a body: Ceph RGW answers no "100 Continue" to some
            // (PutObjectRetention), and each would wait 3 s for it. The SDK itself asks for it on
            // PutObject and UploadPart, where a 412 must arrive before the body is sent.
            .expectContinueEnabled(false))
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .build();
  }

  /**
   * The region requests are signed for: AWS_REGION or AWS_DEFAULT_REGION when set, the one in an
   * AWS host name (s3.eu-west-1.amazonaws.com), else us-east-1, which Ceph RGW, MinIO and s3proxy
   * accept by default.
   */
  static String region(URI endpoint) {
    for (String v : new String[] {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
      String r = System.getenv(v);
      if (r != null && !r.isBlank()) {
        return r.trim();
      }
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("s3[.-]([a-z0-9-]+)\\.amazonaws\\.com")
        .matcher(endpoint.getHost());
    return m.matches() ? m.group(1) : "us-east-1";
  }

  /** The object key of a store key. */
  public String objectKey(String key) {
    return base + key;
  }

  @Override
  public void init() {
    try {
      s3.headBucket(b -> b.bucket(bucket));
    } catch (S3Exception e) {
      if (e.statusCode() != 404) {
        throw failure("", "looking for the bucket", e);
      }
      try {
        s3.createBucket(b -> b.bucket(bucket).objectLockEnabledForBucket(lockMode != null ? true : null));
      } catch (S3Exception c) {
        String code = code(c);
        if (!code.equals("BucketAlreadyOwnedByYou")) {
          throw failure("", "creating the bucket", c);
        }
      } catch (SdkException c) {
        throw failure("", "creating the bucket", c);
      }
    } catch (SdkException e) {
      throw failure("", "looking for the bucket", e);
    }
  }

  @Override
  public boolean putIfAbsent(String key, byte[] data) {
    return putIfAbsent(key, data, data.length);
  }

  @Override
  public boolean putIfAbsent(String key, byte[] data, int length) {
    StoreKeys.check(key);
    if (length < 0 || length > data.length) {
      throw new IllegalArgumentException("length " + length + " outside the array of " + data.length);
    }
    Source s = (offset, n) -> new ByteArrayInputStream(data, Math.toIntExact(offset), Math.toIntExact(n));
    return put(key, s, length);
  }

  /** Sends the file from disk as it goes, in parts when it is large; the file is consumed either way. */
  @Override
  public boolean putIfAbsent(String key, Path file) {
    try {
      StoreKeys.check(key);
      long size;
      try {
        size = Files.size(file);
      } catch (IOException e) {
        throw new StoreException(key, "cannot read the file to store, " + file + ": " + e.getMessage(), e);
      }
      Source s = (offset, n) -> {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        ch.position(offset);
        return new BoundedInputStream(Channels.newInputStream(ch), n);
      };
      return put(key, s, size);
    } finally {
      try {
        Files.deleteIfExists(file);
      } catch (IOException ignored) {
        // a leftover spool file in the temporary directory is never read
      }
    }
  }

  /** Where the bytes of an object to store come from: any range of it, as often as asked. */
  private interface Source {
    InputStream open(long offset, long length) throws IOException;
  }

  private RequestBody body(Source s, long offset, long length) {
    return RequestBody.fromContentProvider(() -> {
      try {
        return s.open(offset, length);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, length, OCTETS);
  }

  private boolean put(String key, Source s, long size) {
    String k = objectKey(key);
    if (size > tuning.multipartAbove()) {
      return putInParts(key, s, size);
    }
    try {
      s3.putObject(b -> b.bucket(bucket).key(k).ifNoneMatch("*").contentLength(size), body(s, 0, size));
      return true;
    } catch (S3Exception e) {
      if (e.statusCode() == 412) {
        return false;
      }
      throw failure(key, "storing", e);
    } catch (SdkException | UncheckedIOException e) {
      throw failure(key, "storing", e);
    }
  }

  /**
   * A multipart upload completed with {@code If-None-Match: *}: the object appears whole when the
   * completion succeeds, and not at all otherwise; an upload that fails is aborted, so its parts
   * do not linger (and cost) in the bucket.
   */
  private boolean putInParts(String key, Source s, long size) {
    if (size(key).isPresent()) {
      return false;
    }
    String k = objectKey(key);
    String uploadId;
    try {
      uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(k).contentType(OCTETS)).uploadId();
    } catch (SdkException e) {
      throw failure(key, "starting a multipart upload", e);
    }
    boolean done = false;
    try {
      List<CompletedPart> parts = new ArrayList<>();
      int number = 1;
      for (long offset = 0; offset < size; offset += tuning.partSize(), number++) {
        long n = Math.min(tuning.partSize(), size - offset);
        int part = number;
        String etag = s3.uploadPart(b -> b.bucket(bucket).key(k).uploadId(uploadId).partNumber(part).contentLength(n),
            body(s, offset, n)).eTag();
        parts.add(CompletedPart.builder().partNumber(part).eTag(etag).build());
      }
      try {
        s3.completeMultipartUpload(b -> b.bucket(bucket).key(k).uploadId(uploadId).ifNoneMatch("*")
            .multipartUpload(m -> m.parts(parts)));
      } catch (S3Exception e) {
        if (e.statusCode() == 412) {
          return false;
        }
        throw e;
      }
      done = true;
      return true;
    } catch (SdkException | UncheckedIOException e) {
      throw failure(key, "storing in parts", e);
    } finally {
      if (!done) {
        try {
          s3.abortMultipartUpload(b -> b.bucket(bucket).key(k).uploadId(uploadId));
        } catch (SdkException ignored) {
          // the bucket's lifecycle rule for incomplete uploads removes it (docs/server.md)
        }
      }
    }
  }

  /**
   * The whole object, read into one array of its exact size: the SDK's own byte-array reader
   * grows a buffer and copies it once more, twice the object's size at the peak (a snapshot's
   * reference list can be tens of MB, and keyless maintenance runs in a small heap).
   */
  @Override
  public byte[] get(String key) {
    StoreKeys.check(key);
    return reading(key, () -> {
      try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(bucket).key(objectKey(key)))) {
        Long length = in.response().contentLength();
        if (length == null || length > Integer.MAX_VALUE - 8) {
          return in.readAllBytes();
        }
        byte[] out = in.readNBytes(length.intValue());
        if (out.length != length || in.read() >= 0) {
          throw new TransientStoreException(key, "the object store sent " + out.length + " bytes or more of "
              + length, null);
        }
        return out;
      } catch (IOException e) {
        throw new TransientStoreException(key, "reading from " + location() + " failed: " + e.getMessage(), e);
      }
    });
  }

  /** Read into one array of the range's size, as {@link #readRange} reads into any buffer. */
  @Override
  public byte[] getRange(String key, long offset, int length) {
    checkRange(offset, length);
    byte[] out = new byte[length];
    readRange(key, offset, ByteBuffer.wrap(out));
    return out;
  }

  @Override
  public void readRange(String key, long offset, ByteBuffer dst) {
    StoreKeys.check(key);
    int length = dst.remaining();
    if (length == 0) {
      BlobStore.checkEmptyRange(this, key, offset);
      return;
    }
    checkRange(offset, length);
    reading(key, () -> {
      try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(bucket).key(objectKey(key))
          .range(range(offset, length)))) {
        ReadableByteChannel ch = Channels.newChannel(in);
        while (dst.hasRemaining()) {
          if (ch.read(dst) < 0) {
            throw beyondEnd(key, offset, length);
          }
        }
        if (in.read() >= 0) {
          throw new StoreException(key, "the store sent more than the " + length + " bytes asked for", null);
        }
        return null;
      } catch (IOException e) {
        throw new TransientStoreException(key, "reading from " + location() + " failed: " + e.getMessage(), e);
      }
    });
  }

  private static void checkRange(long offset, int length) {
    if (offset < 0 || length < 0) {
      throw new IllegalArgumentException("invalid range: " + length + " bytes at " + offset);
    }
  }

  private static String range(long offset, int length) {
    return "bytes=" + offset + "-" + (offset + length - 1);
  }

  private static StoreException beyondEnd(String key, long offset, int length) {
    return new StoreException(key, "the range of " + length + " bytes at " + offset + " extends beyond the object",
        null);
  }

  /** A read, with "no such key" as {@link ObjectNotFoundException} and 416 as a range beyond the end. */
  private <T> T reading(String key, Supplier<T> read) {
    try {
      return read.get();
    } catch (S3Exception e) {
      if (e.statusCode() == 404 && !code(e).equals("NoSuchBucket")) {
        throw new ObjectNotFoundException(key, "not stored in " + location());
      }
      if (e.statusCode() == 416) {
        throw new StoreException(key, "the range asked for extends beyond the object", e);
      }
      throw failure(key, "reading", e);
    } catch (SdkException | UncheckedIOException e) {
      throw failure(key, "reading", e);
    }
  }

  @Override
  public Optional<Long> size(String key) {
    StoreKeys.check(key);
    try {
      return Optional.of(s3.headObject(b -> b.bucket(bucket).key(objectKey(key))).contentLength());
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return Optional.empty();
      }
      throw failure(key, "looking up", e);
    } catch (SdkException e) {
      throw failure(key, "looking up", e);
    }
  }

  @Override
  public List<StoreEntry> list(String prefix) {
    StoreKeys.checkPrefix(prefix);
    List<StoreEntry> out = new ArrayList<>();
    try {
      for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(base + prefix)).contents()) {
        String key = o.key().substring(base.length());
        // Anything else under the prefix (an operator's note, another tool's files) is not ours.
        if (StoreKeys.isValid(key)) {
          out.add(new StoreEntry(key, o.size()));
        }
      }
    } catch (S3Exception e) {
      if (e.statusCode() == 404 && code(e).equals("NoSuchBucket")) {
        return List.of();
      }
      throw failure(prefix, "listing", e);
    } catch (SdkException e) {
      throw failure(prefix, "listing", e);
    }
    return out;
  }

  /**
   * Removes the object. In a bucket with Object Lock (versioned), a plain DELETE would only hide
   * the object behind a delete marker and free nothing: every version of the key goes instead, and
   * a version still locked makes the store refuse (403) with the lock's end in the message.
   */
  @Override
  public boolean delete(String key) {
    if (size(key).isEmpty()) {
      return false;
    }
    String k = objectKey(key);
    try {
      if (!bucketLocks()) {
        s3.deleteObject(b -> b.bucket(bucket).key(k));
        return true;
      }
      for (var page : s3.listObjectVersionsPaginator(b -> b.bucket(bucket).prefix(k))) {
        List<String> versions = new ArrayList<>();
        page.versions().stream().filter(v -> v.key().equals(k)).forEach(v -> versions.add(v.versionId()));
        page.deleteMarkers().stream().filter(v -> v.key().equals(k)).forEach(v -> versions.add(v.versionId()));
        for (String version : versions) {
          try {
            s3.deleteObject(b -> b.bucket(bucket).key(k).versionId(version));
          } catch (S3Exception e) {
            if (e.statusCode() == 403) {
              Optional<Instant> until = lockedUntil(key);
              throw new StoreException(key, "the object store refuses to delete it: it is locked"
                  + until.map(u -> " until " + u).orElse("") + " (S3 Object Lock)", e);
            }
            throw e;
          }
        }
      }
      return true;
    } catch (SdkException e) {
      throw failure(key, "deleting", e);
    }
  }

  /** Whether the bucket has Object Lock enabled (and therefore versioning). */
  public boolean bucketLocks() {
    Boolean known = bucketLocks;
    if (known == null) {
      try {
        known = s3.getObjectLockConfiguration(b -> b.bucket(bucket)).objectLockConfiguration().objectLockEnabled()
            == ObjectLockEnabled.ENABLED;
      } catch (S3Exception e) {
        // 404: ObjectLockConfigurationNotFoundError; 501: a store without Object Lock (s3proxy)
        if (e.statusCode() != 404 && e.statusCode() != 501) {
          throw failure("", "looking up the bucket's Object Lock", e);
        }
        known = false;
      } catch (SdkException e) {
        throw failure("", "looking up the bucket's Object Lock", e);
      }
      bucketLocks = known;
    }
    return known;
  }

  @Override
  public Optional<Instant> lockedUntil(String key) {
    StoreKeys.check(key);
    if (!bucketLocks()) {
      return Optional.empty();
    }
    try {
      ObjectLockRetention r = s3.getObjectRetention(b -> b.bucket(bucket).key(objectKey(key))).retention();
      return r == null ? Optional.empty() : Optional.ofNullable(r.retainUntilDate());
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return Optional.empty(); // no such key, or no retention on it
      }
      throw failure(key, "looking up the object's lock", e);
    } catch (SdkException e) {
      throw failure(key, "looking up the object's lock", e);
    }
  }

  @Override
  public boolean lockUntil(String key, Instant until) {
    StoreKeys.check(key);
    if (lockMode == null || !bucketLocks()) {
      return false;
    }
    Optional<Instant> now = lockedUntil(key);
    if (now.isPresent() && !now.get().isBefore(until)) {
      return true;
    }
    ObjectLockRetentionMode mode = lockMode == LockMode.COMPLIANCE ? ObjectLockRetentionMode.COMPLIANCE
        : ObjectLockRetentionMode.GOVERNANCE;
    try {
      s3.putObjectRetention(b -> b.bucket(bucket).key(objectKey(key))
          .retention(r -> r.mode(mode).retainUntilDate(until)));
      return true;
    } catch (S3Exception e) {
      if (e.statusCode() == 404 && code(e).equals("NoSuchKey")) {
        throw new ObjectNotFoundException(key, "not stored in " + location() + ", so not locked");
      }
      throw failure(key, "locking", e);
    } catch (SdkException e) {
      throw failure(key, "locking", e);
    }
  }

  @Override
  public boolean remote() {
    return true;
  }

  @Override
  public String location() {
    return where.text();
  }

  @Override
  public void close() {
    if (ownsClient) {
      s3.close();
    }
  }

  private static String code(S3Exception e) {
    return e.awsErrorDetails() == null || e.awsErrorDetails().errorCode() == null ? ""
        : e.awsErrorDetails().errorCode();
  }

  /** A failure as the store contract names it: transient ones for the retry, the rest saying what to do. */
  private StoreException failure(String key, String doing, RuntimeException e) {
    if (e instanceof S3Exception s) {
      int status = s.statusCode();
      String code = code(s);
      String answer = "HTTP " + status + (code.isEmpty() ? "" : " " + code);
      if (status == 429 || status >= 500 || code.equals("SlowDown") || code.equals("RequestTimeout")
          || code.equals("ConditionalRequestConflict")) {
        return new TransientStoreException(key, doing + ": " + location() + " answered " + answer, e);
      }
      if (code.equals("NoSuchBucket")) {
        return new StoreException(key, "the bucket '" + bucket + "' does not exist at " + where.endpoint()
            + "; 'cairn init' creates it", e);
      }
      if (status == 403) {
        return new StoreException(key, doing + ": " + location() + " refused access (" + answer + "): check the "
            + "access key and its permissions on the bucket; a locked object cannot be deleted or replaced "
            + "before its retention ends", e);
      }
      String message = s.awsErrorDetails() == null ? s.getMessage() : s.awsErrorDetails().errorMessage();
      return new StoreException(key, doing + " failed: " + location() + " answered " + answer
          + (message == null ? "" : ": " + message), e);
    }
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    if (root instanceof IOException || e instanceof UncheckedIOException
        || e instanceof software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException
        || e instanceof software.amazon.awssdk.core.exception.ApiCallTimeoutException) {
      return new TransientStoreException(key, doing + ": " + location() + " could not be reached ("
          + root.getMessage() + ")", e);
    }
    return new StoreException(key, doing + " failed: " + e.getMessage(), e);
  }

  /** At most {@code limit} bytes of a stream, which it closes. */
  private static final class BoundedInputStream extends InputStream {
    private final InputStream in;
    private long left;

    BoundedInputStream(InputStream in, long limit) {
      this.in = in;
      this.left = limit;
    }

    @Override
    public int read() throws IOException {
      if (left <= 0) {
        return -1;
      }
      int b = in.read();
      if (b >= 0) {
        left--;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (left <= 0) {
        return -1;
      }
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n > 0) {
        left -= n;
      }
      return n;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
