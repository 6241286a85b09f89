package io.cairn.crypto;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Argon2id through the reference implementation, libargon2 (Debian package {@code libargon2-1}),
 * called with the foreign-function API. It computes the same bytes as BouncyCastle's Java
 * implementation (a test compares them) about three times faster, which is most of the time it
 * takes to open a repository. When the library is not installed, or native access is not
 * enabled for this JVM, {@link #available()} is false and the Java implementation is used.
 */
final class NativeArgon2 {
  private static final MethodHandle HASH = load();
  /** {@code ARGON2_OK} in argon2.h. */
  private static final int OK = 0;

  private NativeArgon2() {}

  private static MethodHandle load() {
    if (Boolean.getBoolean("cairn.argon2.java")) {
      return null;
    }
    try {
      Linker linker = Linker.nativeLinker();
      SymbolLookup lib = SymbolLookup.libraryLookup("libargon2.so.1", Arena.global());
      // int argon2id_hash_raw(uint32_t t_cost, uint32_t m_cost, uint32_t parallelism,
      //     const void *pwd, size_t pwdlen, const void *salt, size_t saltlen, void *hash, size_t hashlen)
      return lib.find("argon2id_hash_raw").map(a -> linker.downcallHandle(a, FunctionDescriptor.of(
          ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
          ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
          ValueLayout.ADDRESS, ValueLayout.JAVA_LONG))).orElse(null);
    } catch (IllegalArgumentException | IllegalCallerException | UnsupportedOperationException e) {
      // no such library, or native access not granted: the Java implementation serves
      return null;
    }
  }

  static boolean available() {
    return HASH != null;
  }

  /** Argon2id version 1.3 of {@code password} under {@code salt}; {@code out.length} bytes. */
  static void hash(byte[] password, byte[] salt, KdfParams p, byte[] out) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment pw = arena.allocate(Math.max(1, password.length));
      MemorySegment.copy(password, 0, pw, ValueLayout.JAVA_BYTE, 0, password.length);
      MemorySegment s = arena.allocateFrom(ValueLayout.JAVA_BYTE, salt);
      MemorySegment h = arena.allocate(out.length);
      int rc;
      try {
        rc = (int) HASH.invokeExact(p.iterations(), p.memoryKiB(), p.parallelism(), pw, (long) password.length,
            s, (long) salt.length, h, (long) out.length);
      } catch (Throwable t) {
        throw new IllegalStateException("libargon2 failed: " + t, t);
      } finally {
        pw.fill((byte) 0);
      }
      if (rc != OK) {
        throw new IllegalStateException("libargon2 refused the parameters (error " + rc + ")");
      }
      MemorySegment.copy(h, ValueLayout.JAVA_BYTE, 0, out, 0, out.length);
      h.fill((byte) 0);
    }
  }
}
