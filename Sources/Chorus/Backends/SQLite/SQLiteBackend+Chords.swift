/// Chord fan-in across processes: `chords` holds each group's size and a
/// `completed` flag, `chord_parts` its recorded parts, unique per (task id,
/// group index). Every change runs in one write transaction (BEGIN
/// IMMEDIATE), so the dedup, the count and the flip of `completed` are one
/// atomic step: exactly one caller in any process sees `.completed`.
extension SQLiteBackend {
    public func setChordSize(_ size: Int, forGroup groupID: String) throws(ChorusError) -> ChordPartOutcome {
        guard size >= 0 else { throw ChorusError(.invalidInput, "chord size must be >= 0, got \(size) for group \(groupID)") }
        let now = clock.now
        let expires = Self.micros(now.addingTimeInterval(options.resultExpires))
        let path = self.path
        return try write("setting the size of chord \(groupID)") { (c: SQLiteConnection) throws(SQLiteError) in
            if try Self.isCompleted(c, groupID) { return .alreadyCompleted }
            try c.run("""
                INSERT INTO chords (group_id, size, expires_at, created_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (group_id) DO UPDATE SET size = excluded.size, expires_at = excluded.expires_at
                """, [.text(groupID), .int(Int64(size)), .int(expires), .int(Self.micros(now))])
            return try Self.completeIfReady(c, groupID, path: path)
        }
    }

    public func recordChordPart(_ part: ChordPart, forGroup groupID: String) throws(ChorusError) -> ChordPartOutcome {
        let now = clock.now
        let expires = Self.micros(now.addingTimeInterval(options.resultExpires))
        let path = self.path
        return try write("counting part \(part.taskID) of chord \(groupID)") { (c: SQLiteConnection) throws(SQLiteError) in
            if try Self.isCompleted(c, groupID) { return .alreadyCompleted }
            try c.run("""
                INSERT INTO chords (group_id, expires_at, created_at) VALUES (?, ?, ?)
                ON CONFLICT (group_id) DO UPDATE SET expires_at = excluded.expires_at
                """, [.text(groupID), .int(expires), .int(Self.micros(now))])
            let inserted = try c.run("""
                INSERT OR IGNORE INTO chord_parts (group_id, task_id, group_index, state, result) VALUES (?, ?, ?, ?, ?)
                """, [.text(groupID), .text(part.taskID), .int(Int64(part.groupIndex)), .text(part.state.rawValue), .text(part.result.serialized())])
            guard inserted == 1 else {
                let (ready, size) = try Self.counts(c, groupID)
                return .duplicate(ready: ready, size: size)
            }
            return try Self.completeIfReady(c, groupID, path: path)
        }
    }

    private static func isCompleted(_ c: SQLiteConnection, _ groupID: String) throws(SQLiteError) -> Bool {
        try c.queryFirst("SELECT completed FROM chords WHERE group_id = ?", [.text(groupID)]) { $0.int(0) } == 1
    }

    private static func counts(_ c: SQLiteConnection, _ groupID: String) throws(SQLiteError) -> (ready: Int, size: Int?) {
        let ready = try c.queryFirst("SELECT count(*) FROM chord_parts WHERE group_id = ?", [.text(groupID)]) { Int($0.int(0)) } ?? 0
        let size = try c.queryFirst("SELECT size FROM chords WHERE group_id = ?", [.text(groupID)]) { $0.optionalInt(0) } ?? nil
        return (ready, size.map { Int($0) })
    }

    /// Inside the caller's transaction: when every part is in, marks the chord
    /// completed, drops its parts and returns them by group index.
    private static func completeIfReady(_ c: SQLiteConnection, _ groupID: String, path: String) throws(SQLiteError) -> ChordPartOutcome {
        let (ready, size) = try counts(c, groupID)
        guard let size, ready >= size else { return .waiting(ready: ready, size: size) }
        let rows = try c.query(
            "SELECT task_id, group_index, state, result FROM chord_parts WHERE group_id = ? ORDER BY group_index, seq",
            [.text(groupID)]) { r in (taskID: r.text(0), index: Int(r.int(1)), state: r.text(2), result: r.text(3)) }
        var parts: [ChordPart] = []
        for row in rows {
            guard let state = TaskState(rawValue: row.state), state.isReady else {
                throw unreadable(path, "part \(row.taskID) of chord \(groupID)", "state '\(row.state)'")
            }
            let result: JSON
            do { result = try JSON(parsing: row.result) } catch { throw unreadable(path, "part \(row.taskID) of chord \(groupID)", "\(error)") }
            parts.append(ChordPart(taskID: row.taskID, groupIndex: row.index, state: state, result: result))
        }
        try c.run("UPDATE chords SET completed = 1 WHERE group_id = ?", [.text(groupID)])
        try c.run("DELETE FROM chord_parts WHERE group_id = ?", [.text(groupID)])
        return .completed(parts)
    }
}
