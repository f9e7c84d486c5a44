#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Random bytes from the operating system's CSPRNG (`/dev/urandom`, the
/// source `getrandom` reads), handed out from a small
/// per-thread pool: every task id is a uuid4, and asking the kernel for 8
/// bytes at a time (`SystemRandomNumberGenerator`) cost two system calls per
/// task published.
///
/// Fork-safe: a child process must never reuse bytes its parent had pooled
/// (the two would mint the same ids), so a fork handler bumps a generation
/// and every pool made before it is discarded unread.
enum RandomBytes {
    /// Fills `buffer` with random bytes.
    static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        #if canImport(Darwin)
        // Already a user-space CSPRNG on Darwin.
        arc4random_buf(buffer.baseAddress, buffer.count)
        #else
        pool().take(into: buffer)
        #endif
    }

    /// Two random 64-bit words, e.g. the 128 bits of a uuid.
    static func next128() -> (UInt64, UInt64) {
        var words: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &words) { fill($0) }
        return words
    }

    /// Incremented in every forked child.
    private static let generation = Atomic<UInt64>(0)
    private static let installForkHandler: Void = {
        _ = pthread_atfork(nil, nil) { RandomBytes.generation.add(1, ordering: .sequentiallyConsistent) }
    }()

    /// The kernel's CSPRNG (getrandom's source), opened once for the process.
    private static let urandom: Int32 = open("/dev/urandom", O_RDONLY | O_CLOEXEC)

    private static let poolKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { pointer in
            if let pointer { Unmanaged<Pool>.fromOpaque(pointer).release() }
        }
        return key
    }()

    /// The calling thread's pool, created on first use.
    private static func pool() -> Pool {
        _ = installForkHandler
        if let existing = pthread_getspecific(poolKey) {
            return Unmanaged<Pool>.fromOpaque(existing).takeUnretainedValue()
        }
        let pool = Pool()
        pthread_setspecific(poolKey, Unmanaged.passRetained(pool).toOpaque())
        return pool
    }

    /// One thread's unread random bytes. Used by that thread only.
    private final class Pool {
        @exclusivity(unchecked) private var bytes = [UInt8](repeating: 0, count: 512)
        private var offset = 512
        private var generation: UInt64 = 0

        func take(into buffer: UnsafeMutableRawBufferPointer) {
            let current = RandomBytes.generation.load(ordering: .acquiring)
            if current != generation {
                generation = current
                offset = bytes.count
            }
            var written = 0
            while written < buffer.count {
                if offset == bytes.count { refill() }
                let n = min(buffer.count - written, bytes.count - offset)
                bytes.withUnsafeBytes { source in
                    buffer.baseAddress!.advanced(by: written).copyMemory(from: source.baseAddress!.advanced(by: offset), byteCount: n)
                }
                offset += n
                written += n
            }
        }

        private func refill() {
            bytes.withUnsafeMutableBytes { target in
                var filled = 0
                while filled < target.count {
                    let got = RandomBytes.urandom >= 0
                        ? read(RandomBytes.urandom, target.baseAddress!.advanced(by: filled), target.count - filled) : -1
                    if got > 0 {
                        filled += got
                    } else if got < 0 && errno == EINTR {
                        continue
                    } else {
                        // No /dev/urandom (a bare chroot): the standard library's source.
                        var system = SystemRandomNumberGenerator()
                        for i in filled..<target.count { target[i] = system.next() }
                        filled = target.count
                    }
                }
            }
            offset = 0
        }
    }
}
