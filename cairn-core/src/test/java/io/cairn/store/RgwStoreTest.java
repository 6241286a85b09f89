package io.cairn.store;

import java.nio.file.Path;
import java.time.Duration;

/** The store contract on Ceph RGW 16, the object store providers run in their own racks. */
class RgwStoreTest extends RawStoreConformanceTest {
  @Override
  protected BlobStore newStore(Path tempDir) {
    CephRgw rgw = CephRgw.shared();
    BlobStore store = Stores.open(rgw.newLocation("conf", "tenants/acme"), rgw.access(Duration.ofSeconds(30)));
    store.init();
    return store;
  }
}
