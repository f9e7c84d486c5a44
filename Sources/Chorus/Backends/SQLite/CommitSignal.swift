import CSQLite
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Tells waiters in every process sharing a database that a commit may have
/// ended their wait — what SQLite itself does not do across processes.
///
/// Counters ("words") live in a small file beside the database
/// (`<database>-wake`), mapped shared into each process. A commit that
/// published messages bumps the messages word; one that stored a finished
/// result bumps the word of its task id (one of `resultWords`, by hash). The
/// bump comes AFTER the commit, so a waiter that reads a word, then looks in
/// the database, then sleeps while the word is unchanged never misses a
/// commit. On Linux it sleeps in the kernel (a futex on the shared word) and
/// a committer wakes it only when the word has waiters, so a busy worker
/// pays two atomic adds per commit and an idle one sleeps until the next
/// publish; elsewhere waiters check the word (memory, not the database)
/// every millisecond.
///
/// Only Chorus commits bump: a writer that does not (another tool, an older
/// Chorus) is seen by the waiters' periodic look (`SQLiteBackend.poll`).
///
/// Thread-safe. `@unchecked Sendable`: the mapping is only accessed through
/// the atomic helpers of `CSQLite/shim.h`; it and the descriptor are released
/// in `deinit`.
final class CommitSignal: @unchecked Sendable {
    /// One counter and its number of waiting threads.
    struct Word: Hashable {
        let index: Int
    }

    /// Claims wait here: bumped by commits that published messages.
    static let messages = Word(index: 0)
    static let resultWords = 64

    /// Result waiters wait here: bumped by commits that stored a finished
    /// result of a task id with the same hash (FNV-1a, the same in every process).
    static func result(_ taskID: String) -> Word {
        var hash: UInt32 = 2_166_136_261
        for byte in taskID.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return Word(index: 1 + Int(hash % UInt32(resultWords)))
    }

    private static let magic: UInt32 = 0x4B57_4843  // "CHWK"
    private static let size = 4096
    private static let wordsOffset = 64
    /// The write turn: the holder's process id (0: free), then its waiters.
    private static let turnOffset = 32

    private let mapping: UnsafeMutableRawPointer
    private let descriptor: Int32
    /// Whether `wait` sleeps in the kernel until woken (Linux); else it naps 1 ms.
    let blocks = chorus_shared_wait_supported() != 0

    private init(mapping: UnsafeMutableRawPointer, descriptor: Int32) {
        self.mapping = mapping
        self.descriptor = descriptor
    }

    deinit {
        munmap(mapping, Self.size)
        close(descriptor)
    }

    /// Maps `<databasePath>-wake` (resolving symlinks, so every process finds
    /// the same file), creating it with the database file's permissions. Nil
    /// when it cannot be created or mapped, or holds something else: callers
    /// then poll.
    static func open(databasePath: String) -> CommitSignal? {
        let resolved = URL(fileURLWithPath: databasePath).resolvingSymlinksInPath().path
        var info = stat()
        let mode = stat(resolved, &info) == 0 ? mode_t(info.st_mode & 0o666) : 0o600
        let descriptor = Foundation.open(resolved + "-wake", O_RDWR | O_CREAT | O_CLOEXEC, mode)
        guard descriptor >= 0 else { return nil }
        guard fstat(descriptor, &info) == 0, info.st_size >= size || ftruncate(descriptor, off_t(size)) == 0,
              let mapped = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, descriptor, 0), mapped != MAP_FAILED
        else {
            close(descriptor)
            return nil
        }
        let header = mapped.assumingMemoryBound(to: UInt32.self)
        // A new file is zeros; whoever comes first stamps it.
        _ = chorus_shared_cas(header, 0, magic)
        guard chorus_shared_load(header) == magic else {
            munmap(mapped, size)
            close(descriptor)
            return nil
        }
        return CommitSignal(mapping: mapped, descriptor: descriptor)
    }

    private func counter(_ word: Word) -> UnsafeMutablePointer<UInt32> {
        (mapping + Self.wordsOffset + word.index * 8).assumingMemoryBound(to: UInt32.self)
    }

    private func waiters(_ word: Word) -> UnsafeMutablePointer<UInt32> {
        (mapping + Self.wordsOffset + word.index * 8 + 4).assumingMemoryBound(to: UInt32.self)
    }

    /// The word's current count: read it BEFORE looking in the database.
    func generation(_ word: Word) -> UInt32 { chorus_shared_load(counter(word)) }

    /// After a commit: bumps its words and wakes their waiters.
    func committed(_ words: CommitWords) {
        if words.messages { bump(Self.messages) }
        var results = words.results
        while results != 0 {
            let bit = results.trailingZeroBitCount
            results &= results - 1
            bump(Word(index: 1 + bit))
        }
    }

    private func bump(_ word: Word) {
        _ = chorus_shared_add(counter(word), 1)
        if chorus_shared_load(waiters(word)) != 0 { chorus_shared_wake(counter(word), Int32.max) }
    }

    /// Sleeps while `word` still reads `seen`, at most `seconds`; may return
    /// early (re-check the word). Without kernel waits, naps 1 ms at most.
    func wait(_ word: Word, after seen: UInt32, seconds: Double) {
        guard seconds > 0 else { return }
        guard blocks else {
            usleep(UInt32(min(seconds, 0.001) * 1_000_000))
            return
        }
        _ = chorus_shared_add(waiters(word), 1)
        chorus_shared_wait(counter(word), seen, Int64(min(seconds, 3600) * 1_000_000_000))
        _ = chorus_shared_sub(waiters(word), 1)
    }

    // MARK: - The write turn

    private var turn: UnsafeMutablePointer<UInt32> { (mapping + Self.turnOffset).assumingMemoryBound(to: UInt32.self) }
    private var turnWaiters: UnsafeMutablePointer<UInt32> { (mapping + Self.turnOffset + 4).assumingMemoryBound(to: UInt32.self) }
    private static let processID = UInt32(truncatingIfNeeded: getpid())

    /// Takes the write turn: Chorus writers of every process queue here, in
    /// the kernel, for SQLite's write lock, so it passes from one to the next
    /// as soon as it is free instead of when a busy handler's nap ends. It is
    /// only a hint: SQLite's lock still decides, and after `limit` seconds
    /// (or where waits cannot block) this gives up and returns false — the
    /// caller writes anyway. A turn held by a process that died is taken over.
    /// True: call `releaseTurn` after the commit or rollback.
    func acquireTurn(limit: Double) -> Bool {
        guard blocks else { return false }
        let me = Self.processID
        // Real time waited: counting a whole nap per wake-up made a waiter
        // woken often give up long before `limit`, and check the holder with
        // a system call on every look once it believed 20 ms had passed.
        var started: UInt64?
        var nextHolderCheck = Self.holderCheckAfter
        while true {
            if chorus_shared_cas(turn, 0, me) != 0 { return true }
            let holder = chorus_shared_load(turn)
            if holder == 0 { continue }
            let now = DispatchTime.now().uptimeNanoseconds
            let waited = started.map { Double(now &- $0) / 1e9 } ?? 0
            if started == nil { started = now }
            if waited >= limit { return false }
            if waited >= nextHolderCheck && holder != me {
                nextHolderCheck = waited + Self.holderCheckAfter
                if kill(pid_t(holder), 0) != 0 && errno == ESRCH {
                    _ = chorus_shared_cas(turn, holder, 0)
                    continue
                }
            }
            _ = chorus_shared_add(turnWaiters, 1)
            chorus_shared_wait(turn, holder, Int64(Self.turnNap * 1_000_000_000))
            _ = chorus_shared_sub(turnWaiters, 1)
        }
    }

    /// Passes the write turn on.
    func releaseTurn() {
        _ = chorus_shared_cas(turn, Self.processID, 0)
        if chorus_shared_load(turnWaiters) != 0 { chorus_shared_wake(turn, 1) }
    }

    /// How long one wait for the turn lasts at most before looking again (a
    /// holder that died never wakes anyone).
    private static let turnNap = 0.002
    /// Waiting longer than this, check whether the holder still lives (and
    /// again every this long).
    private static let holderCheckAfter = 0.02

    /// Wakes every waiter of every word (closing: this process's waiters
    /// must look at the backend again; other processes' just look again).
    func wakeAll() {
        for index in 0...Self.resultWords { chorus_shared_wake(counter(Word(index: index)), Int32.max) }
    }
}

/// The words a transaction's commit will bump, collected on its connection
/// while it runs (`SQLiteConnection.commitWords`).
struct CommitWords {
    /// It inserted messages (published, requeued or gave back).
    var messages = false
    /// Bit i: it stored a finished result whose task id maps to result word i + 1.
    var results: UInt64 = 0

    var isEmpty: Bool { !messages && results == 0 }

    mutating func addResult(_ taskID: String) { results |= 1 << UInt64(CommitSignal.result(taskID).index - 1) }

    mutating func formUnion(_ other: CommitWords) {
        messages = messages || other.messages
        results |= other.results
    }
}
