import CSQLite
import Foundation

/// A SQLite VFS over the platform's default one that writes each commit's
/// write-ahead-log frames with ONE write call instead of two per frame.
///
/// SQLite appends a frame to the log as two writes, its 24-byte header then
/// its page; a task's commit (about 8 frames) cost 16 `pwrite` calls, made
/// while holding the database's only write lock, which every worker and
/// producer process waits for. This VFS opens every file through the default
/// VFS; only a log file gets a thin wrapper that gathers consecutive frames
/// in memory and writes them as one contiguous block:
///
/// - when the page of a commit frame (a header whose "database size after
///   commit" field is not zero) arrives — so the commit's frames are in the
///   file before that write returns, i.e. before SQLite publishes them in the
///   shared WAL index where other connections look; a failed write (full
///   disk) fails the commit, which SQLite then rolls back as before;
/// - before any other operation on the log (read, sync, truncate, size,
///   close, file control, locks), so SQLite always reads back what it wrote;
/// - when anything but the header-then-page pattern is written (the log's
///   own header, a frame written in one piece, a jump in the offset), and
///   when the buffer holds more than `flushBytes`.
///
/// Database, journal and temporary files get the default VFS's own methods:
/// only the log's writes change. Durability is unchanged: nothing is synced
/// that was not before, and a commit returns only after its frames reached
/// the file, as with the default VFS.
enum GatheringVFS {
    /// The name to pass to `sqlite3_open_v2`, or nil when registering failed
    /// (connections then use the default VFS).
    static let name: String? = register()

    /// A buffer larger than this (a big transaction) is written out at once.
    static let flushBytes = 1 << 20
    /// The most one call of the default VFS's write takes: the unix VFS
    /// writes at most 128 KiB - 1 bytes per call (it masks the length).
    static let writeChunk = 120 << 10

    /// Bytes the wrapper keeps in front of the default VFS's file object: the
    /// methods pointer (`sqlite3_file`), then the `LogBuffer`.
    private static let headerSize = 16
    private static let vfsName = "chorus-gathering"

    nonisolated(unsafe) private static var base: UnsafeMutablePointer<sqlite3_vfs>?
    /// The log wrapper's methods: allocated once, never freed (SQLite keeps the pointer in every log file).
    nonisolated(unsafe) private static var logMethods: UnsafeMutablePointer<sqlite3_io_methods>?

    private static func register() -> String? {
        guard let found = sqlite3_vfs_find(nil) else { return nil }
        base = found
        var vfs = found.pointee
        vfs.szOsFile = found.pointee.szOsFile + Int32(headerSize)
        vfs.pNext = nil
        vfs.zName = UnsafePointer(strdup(vfsName))
        vfs.xOpen = { _, name, file, flags, outFlags in GatheringVFS.open(name, file, flags, outFlags) }
        let methods = UnsafeMutablePointer<sqlite3_io_methods>.allocate(capacity: 1)
        methods.initialize(to: makeLogMethods())
        logMethods = methods
        let pointer = UnsafeMutablePointer<sqlite3_vfs>.allocate(capacity: 1)
        pointer.initialize(to: vfs)
        guard sqlite3_vfs_register(pointer, 0) == SQLITE_OK else { return nil }
        return vfsName
    }

    /// Opens through the default VFS; a log file (SQLITE_OPEN_WAL) is
    /// opened behind the wrapper's header and gets `logMethods`.
    private static func open(
        _ name: UnsafePointer<CChar>?, _ file: UnsafeMutablePointer<sqlite3_file>?, _ flags: Int32,
        _ outFlags: UnsafeMutablePointer<Int32>?
    ) -> Int32 {
        guard let base, let file, let baseOpen = base.pointee.xOpen, let logMethods else { return SQLITE_ERROR }
        guard flags & SQLITE_OPEN_WAL != 0 else { return baseOpen(base, name, file, flags, outFlags) }
        let inner = innerFile(file)
        inner.pointee.pMethods = nil
        let rc = baseOpen(base, name, inner, flags, outFlags)
        guard rc == SQLITE_OK else {
            if let close = inner.pointee.pMethods?.pointee.xClose { _ = close(inner) }
            file.pointee.pMethods = nil
            return rc
        }
        let raw = UnsafeMutableRawPointer(file)
        (raw + 8).storeBytes(of: Unmanaged.passRetained(LogBuffer()).toOpaque(), as: UnsafeMutableRawPointer.self)
        file.pointee.pMethods = UnsafePointer(logMethods)
        return SQLITE_OK
    }

    /// Whether `file` is a log file opened through this VFS.
    static func gathers(_ file: UnsafeMutablePointer<sqlite3_file>) -> Bool {
        guard let logMethods, let methods = file.pointee.pMethods else { return false }
        return methods == UnsafePointer(logMethods)
    }

    private static func innerFile(_ file: UnsafeMutablePointer<sqlite3_file>) -> UnsafeMutablePointer<sqlite3_file> {
        (UnsafeMutableRawPointer(file) + headerSize).assumingMemoryBound(to: sqlite3_file.self)
    }

    private static func buffer(_ file: UnsafeMutablePointer<sqlite3_file>) -> LogBuffer {
        let raw = (UnsafeMutableRawPointer(file) + 8).load(as: UnsafeMutableRawPointer.self)
        return Unmanaged<LogBuffer>.fromOpaque(raw).takeUnretainedValue()
    }

    private static func inner(_ file: UnsafeMutablePointer<sqlite3_file>?) -> (UnsafeMutablePointer<sqlite3_file>, sqlite3_io_methods) {
        let inner = innerFile(file!)
        return (inner, inner.pointee.pMethods!.pointee)
    }

    /// Writes out what `file` holds gathered; SQLITE_OK when nothing was.
    private static func flush(_ file: UnsafeMutablePointer<sqlite3_file>?) -> Int32 {
        let log = buffer(file!)
        guard !log.bytes.isEmpty else { return SQLITE_OK }
        let (inner, methods) = inner(file)
        let rc = log.bytes.withUnsafeBytes { (all: UnsafeRawBufferPointer) -> Int32 in
            var done = 0
            while done < all.count {
                let count = min(writeChunk, all.count - done)
                let rc = methods.xWrite!(inner, all.baseAddress! + done, Int32(count), log.start + Int64(done))
                guard rc == SQLITE_OK else { return rc }
                done += count
            }
            return SQLITE_OK
        }
        log.reset()
        return rc
    }

    private static func write(_ file: UnsafeMutablePointer<sqlite3_file>?, _ data: UnsafeRawPointer?, _ amount: Int32, _ offset: Int64) -> Int32 {
        let log = buffer(file!)
        let bytes = UnsafeRawBufferPointer(start: data, count: Int(amount))
        if amount == 24 && data != nil {
            // A frame header: gather it (after writing out what does not adjoin it).
            if !log.bytes.isEmpty && offset != log.end {
                let rc = flush(file)
                guard rc == SQLITE_OK else { return rc }
            }
            log.append(bytes, at: offset)
            log.pageAt = offset + 24
            log.commits = bytes.loadUnaligned(fromByteOffset: 4, as: UInt32.self) != 0
            return SQLITE_OK
        }
        if let pageAt = log.pageAt, offset == pageAt, offset == log.end, data != nil {
            // The page of the frame whose header came last.
            log.append(bytes, at: offset)
            log.pageAt = nil
            return log.commits || log.bytes.count > flushBytes ? flush(file) : SQLITE_OK
        }
        let rc = flush(file)
        guard rc == SQLITE_OK else { return rc }
        let (inner, methods) = inner(file)
        return methods.xWrite!(inner, data, amount, offset)
    }

    /// Writes out what `file` gathered, then makes `call` on the default
    /// VFS's file: every log operation but a write sees the log as written.
    private static func flushed(
        _ file: UnsafeMutablePointer<sqlite3_file>?, _ call: (UnsafeMutablePointer<sqlite3_file>, sqlite3_io_methods) -> Int32
    ) -> Int32 {
        let rc = flush(file)
        guard rc == SQLITE_OK else { return rc }
        let (inner, methods) = inner(file)
        return call(inner, methods)
    }

    private static func makeLogMethods() -> sqlite3_io_methods {
        var m = sqlite3_io_methods()
        m.iVersion = 1
        m.xClose = { file in
            let flushed = GatheringVFS.flush(file)
            let (inner, methods) = GatheringVFS.inner(file)
            let rc = methods.xClose!(inner)
            let raw = (UnsafeMutableRawPointer(file!) + 8).load(as: UnsafeMutableRawPointer.self)
            Unmanaged<LogBuffer>.fromOpaque(raw).release()
            return flushed != SQLITE_OK ? flushed : rc
        }
        m.xRead = { file, data, amount, offset in GatheringVFS.flushed(file) { $1.xRead!($0, data, amount, offset) } }
        m.xWrite = { file, data, amount, offset in GatheringVFS.write(file, data, amount, offset) }
        m.xTruncate = { file, size in GatheringVFS.flushed(file) { $1.xTruncate!($0, size) } }
        m.xSync = { file, flags in GatheringVFS.flushed(file) { $1.xSync!($0, flags) } }
        m.xFileSize = { file, size in GatheringVFS.flushed(file) { $1.xFileSize!($0, size) } }
        m.xLock = { file, level in GatheringVFS.flushed(file) { $1.xLock!($0, level) } }
        m.xUnlock = { file, level in GatheringVFS.flushed(file) { $1.xUnlock!($0, level) } }
        m.xCheckReservedLock = { file, out in GatheringVFS.flushed(file) { $1.xCheckReservedLock!($0, out) } }
        m.xFileControl = { file, op, arg in GatheringVFS.flushed(file) { $1.xFileControl!($0, op, arg) } }
        m.xSectorSize = { file in
            let (inner, methods) = GatheringVFS.inner(file)
            return methods.xSectorSize!(inner)
        }
        m.xDeviceCharacteristics = { file in
            let (inner, methods) = GatheringVFS.inner(file)
            return methods.xDeviceCharacteristics!(inner)
        }
        return m
    }
}

/// The frames one log file handle gathered and not yet written: contiguous
/// bytes from `start`. Used by one connection, so one thread at a time.
final class LogBuffer {
    var bytes: [UInt8] = []
    var start: Int64 = 0
    /// Where the page of the last gathered frame header goes, until it comes.
    var pageAt: Int64?
    /// Whether the last gathered frame header ends a commit.
    var commits = false

    init() { bytes.reserveCapacity(64 << 10) }

    var end: Int64 { start + Int64(bytes.count) }

    func append(_ data: UnsafeRawBufferPointer, at offset: Int64) {
        if bytes.isEmpty { start = offset }
        bytes.append(contentsOf: data)
    }

    func reset() {
        bytes.removeAll(keepingCapacity: true)
        pageAt = nil
        commits = false
    }
}
