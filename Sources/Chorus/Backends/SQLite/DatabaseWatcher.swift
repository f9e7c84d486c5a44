import Foundation

#if os(Linux)
import Glibc
#endif

/// Sees commits to one database by ANY process while someone in this process
/// waits for one, and wakes this process's pollers (`WakeSignal`) — so a
/// worker claims a message, and a producer reads a result, about as soon as
/// another process commits it, where SQLite alone offers no cross-process
/// notification.
///
/// Every commit in WAL mode writes the `-wal` file; on Linux an inotify watch
/// on the database's directory reports those writes (a watch on the
/// directory, not the file, survives the log being deleted and created
/// again). One thread per watcher reads the events. The watch is only armed
/// while a poller waits (`enter`/`leave`): a busy worker that never waits
/// gets no events at all, and an idle one gets none while nobody commits.
/// Elsewhere (macOS), or when inotify is unavailable, `enter` returns false
/// and callers poll.
///
/// The log is written a moment BEFORE the commit becomes visible to readers,
/// so a poller woken by an event must look again shortly if it found nothing
/// (`SQLiteBackend.poll` does).
///
/// Thread-safe. `@unchecked Sendable`: the mutable state is only touched
/// under `lock`; the reading thread owns the descriptors and closes them.
final class DatabaseWatcher: @unchecked Sendable {
    private let databasePath: String
    private let wake: WakeSignal
    private let lock = NSLock()
    private var state = State.idle
    /// Pollers between `enter` and `leave`.
    private var waiters = 0
    /// The directory watch, while armed.
    private var watch: Int32 = -1

    private enum State {
        case idle
        /// The thread reads `events`; a byte on `stopper` ends it.
        case running(events: Int32, stopper: Int32)
        /// No watching here: not Linux, inotify failed, or stopped.
        case unavailable
    }

    #if os(Linux)
    private var directory = ""
    private var logName: [UInt8] = []
    #endif

    init(databasePath: String, wake: WakeSignal) {
        self.databasePath = databasePath
        self.wake = wake
    }

    /// A poller is about to look and then wait: arms the watch (starting the
    /// thread on first use). True when commits by other processes will wake
    /// it; false when it must poll. Every `enter` needs one `leave`.
    func enter() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        waiters += 1
        #if os(Linux)
        if case .idle = state { startLocked() }
        guard case .running(let events, _) = state else { return false }
        if watch < 0 {
            watch = inotify_add_watch(events, directory, UInt32(IN_MODIFY | IN_CREATE | IN_MOVED_TO))
            if watch < 0 { return false }
        }
        return true
        #else
        return false
        #endif
    }

    /// The poller stopped waiting. The watch is disarmed by the thread at
    /// the next event that finds no waiter.
    func leave() {
        lock.lock()
        waiters -= 1
        lock.unlock()
    }

    /// Stops watching (idempotent); the thread ends and pollers fall back to polling.
    func stop() {
        lock.lock()
        defer { lock.unlock() }
        #if os(Linux)
        if case .running(_, let stopper) = state {
            var byte: UInt8 = 1
            _ = Glibc.write(stopper, &byte, 1)
        }
        #endif
        state = .unavailable
    }

    #if os(Linux)
    private func startLocked() {
        state = .unavailable
        // SQLite puts the log beside the real file when the path is a symlink.
        let resolved = URL(fileURLWithPath: databasePath).resolvingSymlinksInPath()
        directory = resolved.deletingLastPathComponent().path
        logName = Array((resolved.lastPathComponent + "-wal").utf8)
        let events = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        guard events >= 0 else { return }
        var ends: [Int32] = [-1, -1]
        guard Glibc.pipe(&ends) == 0 else {
            close(events)
            return
        }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        let (stopped, stopper) = (ends[0], ends[1])
        state = .running(events: events, stopper: stopper)
        let thread = Thread { [self] in run(events: events, stopped: stopped, stopper: stopper) }
        thread.name = "chorus-db-watch"
        thread.start()
    }

    /// The thread: waits for events or the stop byte; after each batch of
    /// events that saw the log written (or lost events to an overflow) it
    /// notifies `wake` once, or disarms the watch when nobody waits.
    private func run(events: Int32, stopped: Int32, stopper: Int32) {
        let capacity = 16 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
        defer {
            buffer.deallocate()
            lock.lock()
            state = .unavailable
            watch = -1
            lock.unlock()
            // Closed only after `state` says so, so `stop` never writes to a reused descriptor.
            close(events)
            close(stopped)
            close(stopper)
            // Pollers waiting for an event must not wait for one that never comes.
            wake.notify()
        }
        var fds = [pollfd(fd: events, events: Int16(POLLIN), revents: 0), pollfd(fd: stopped, events: Int16(POLLIN), revents: 0)]
        let headerSize = MemoryLayout<inotify_event>.size
        while true {
            fds[0].revents = 0
            fds[1].revents = 0
            if Glibc.poll(&fds, 2, -1) < 0 {
                if errno == EINTR { continue }
                return
            }
            if fds[1].revents != 0 { return }
            var changed = false
            while true {
                let count = Glibc.read(events, buffer, capacity)
                guard count > 0 else { break }
                var offset = 0
                while offset + headerSize <= count {
                    let event = buffer.load(fromByteOffset: offset, as: inotify_event.self)
                    let nameLength = Int(event.len)
                    if event.mask & UInt32(IN_Q_OVERFLOW) != 0 { changed = true }
                    if nameLength > 0 && !changed {
                        let name = UnsafeRawBufferPointer(start: buffer + offset + headerSize, count: nameLength)
                        // The name is NUL-padded to `len` bytes.
                        let end = name.firstIndex(of: 0) ?? nameLength
                        if end == logName.count && name[..<end].elementsEqual(logName) { changed = true }
                    }
                    offset += headerSize + nameLength
                }
            }
            guard changed else { continue }
            lock.lock()
            if waiters == 0 && watch >= 0 {
                inotify_rm_watch(events, watch)
                watch = -1
            }
            let notify = waiters > 0
            lock.unlock()
            if notify {
                wake.notify()
                // A commit writes the log in several pieces: let the rest of
                // them queue up (identical queued events merge) rather than
                // waking pollers once per piece.
                usleep(100)
            }
        }
    }
    #endif
}
