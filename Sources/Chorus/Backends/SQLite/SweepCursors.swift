import Foundation

/// Where each table's retention sweep may resume: every row up to `after`
/// that it kept expires at `keptUntil` or later, as far as it saw (a row
/// written again meanwhile by a process with a shorter retention is found
/// by the full walk after `keptUntil`). Per backend object, in memory.
///
/// `@unchecked Sendable`: `cursors` is only touched under `lock`.
final class SweepCursors: @unchecked Sendable {
    struct Cursor {
        var after: Int64
        var keptUntil: Int64
    }

    private let lock = NSLock()
    private var cursors: [String: Cursor] = [:]

    subscript(table: String) -> Cursor? {
        get {
            lock.lock()
            defer { lock.unlock() }
            return cursors[table]
        }
        set {
            lock.lock()
            defer { lock.unlock() }
            cursors[table] = newValue
        }
    }
}
