import Foundation
import CSQLite

/// The schema: versioned by `PRAGMA user_version`, marked as Chorus's by
/// `PRAGMA application_id`, migrated forward in one transaction at open.
///
/// Times: `*_at` INTEGER columns are wall-clock microseconds since 1970
/// (due times, lease deadlines, expiries, compared in SQL); REAL columns are
/// seconds since 1970 of the `Date`s handed back to callers.
extension SQLiteBackend {
    /// "CHOR": what `PRAGMA application_id` holds in a Chorus database.
    static let applicationID: Int64 = 0x4348_4F52

    /// Forward migrations; entry i upgrades schema version i to i + 1. Only
    /// ever append.
    static let migrations: [String] = [
        """
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY AUTOINCREMENT,  -- FIFO order; a requeue gets a new id (back of the queue)
            queue TEXT NOT NULL,
            task_id TEXT NOT NULL,
            task_name TEXT NOT NULL,
            headers TEXT NOT NULL,                 -- Celery v2 headers JSON, as TaskMessage writes it
            body TEXT NOT NULL,                    -- Celery v2 body JSON [args, kwargs, embed]
            status INTEGER NOT NULL DEFAULT 0,     -- 0 waiting (ready, or scheduled until visible_at), 1 leased, 2 dead (unreadable)
            visible_at INTEGER NOT NULL,           -- waiting: due time; leased: lease deadline
            published_at INTEGER NOT NULL,
            delivery_count INTEGER NOT NULL DEFAULT 0,
            redelivered INTEGER NOT NULL DEFAULT 0,
            lease_tag TEXT UNIQUE
        );
        CREATE INDEX messages_claim ON messages(queue, status, visible_at, id);
        CREATE TABLE results (
            task_id TEXT PRIMARY KEY,
            state TEXT NOT NULL,
            result TEXT NOT NULL,
            error_type TEXT, error_message TEXT, error_module TEXT,
            traceback TEXT,
            children TEXT NOT NULL,
            date_done REAL,
            retries INTEGER NOT NULL,
            group_id TEXT, parent_id TEXT, name TEXT, worker TEXT, queue TEXT,
            updated_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL
        );
        CREATE INDEX results_expiry ON results(expires_at);
        CREATE TABLE chords (
            group_id TEXT PRIMARY KEY,
            size INTEGER,
            completed INTEGER NOT NULL DEFAULT 0,
            expires_at INTEGER NOT NULL
        );
        CREATE INDEX chords_expiry ON chords(expires_at);
        CREATE TABLE chord_parts (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            group_id TEXT NOT NULL REFERENCES chords(group_id) ON DELETE CASCADE,
            task_id TEXT NOT NULL,
            group_index INTEGER NOT NULL,
            state TEXT NOT NULL,
            result TEXT NOT NULL,
            UNIQUE (group_id, task_id, group_index)
        );
        CREATE TABLE attempts (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,  -- first-recorded order
            task_id TEXT NOT NULL,
            attempt INTEGER NOT NULL,
            task_name TEXT NOT NULL,
            root_id TEXT, parent_id TEXT, group_id TEXT,
            state TEXT NOT NULL,
            started_at REAL, finished_at REAL,
            error_type TEXT, error_message TEXT,
            next_countdown REAL,
            expires_at INTEGER NOT NULL,
            UNIQUE (task_id, attempt)
        );
        CREATE INDEX attempts_root ON attempts(root_id, seq);
        CREATE INDEX attempts_expiry ON attempts(expires_at);
        CREATE TABLE plugin_state (
            namespace TEXT NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (namespace, key)
        ) WITHOUT ROWID;
        CREATE TABLE workers (
            id TEXT PRIMARY KEY,
            hostname TEXT NOT NULL,
            pid INTEGER NOT NULL,
            queues TEXT NOT NULL,                  -- JSON array of queue names
            concurrency INTEGER NOT NULL,
            started_at REAL NOT NULL,
            heartbeat_at REAL NOT NULL
        );
        """,
        // 2: every commit of a task's bookkeeping wrote two pages it did not
        // need: the index of `lease_tag` (settling now finds a row by its id,
        // which the tag carries) and `sqlite_sequence` (AUTOINCREMENT: a new
        // row id is one more than the largest there is, which keeps the FIFO
        // order of `messages` and the first-recorded order of `attempts`).
        """
        CREATE TABLE messages_v2 (
            id INTEGER PRIMARY KEY,                -- FIFO order; a requeue gets a new id (back of the queue)
            queue TEXT NOT NULL,
            task_id TEXT NOT NULL,
            task_name TEXT NOT NULL,
            headers TEXT NOT NULL,                 -- Celery v2 headers JSON, as TaskMessage writes it
            body TEXT NOT NULL,                    -- Celery v2 body JSON [args, kwargs, embed]
            status INTEGER NOT NULL DEFAULT 0,     -- 0 waiting (ready, or scheduled until visible_at), 1 leased, 2 dead (unreadable)
            visible_at INTEGER NOT NULL,           -- waiting: due time (0: given back, first in line); leased: lease deadline
            published_at INTEGER NOT NULL,
            delivery_count INTEGER NOT NULL DEFAULT 0,  -- deliveries counted so far (a prefetched one counts once begun)
            redelivered INTEGER NOT NULL DEFAULT 0,
            lease_tag TEXT                         -- "<id>-<claimer>-<claim>" while leased
        );
        INSERT INTO messages_v2 SELECT id, queue, task_id, task_name, headers, body, status, visible_at, published_at,
            delivery_count, redelivered, lease_tag FROM messages;
        DROP TABLE messages;
        ALTER TABLE messages_v2 RENAME TO messages;
        CREATE INDEX messages_claim ON messages(queue, status, visible_at, id);
        CREATE TABLE attempts_v2 (
            seq INTEGER PRIMARY KEY,               -- first-recorded order
            task_id TEXT NOT NULL,
            attempt INTEGER NOT NULL,
            task_name TEXT NOT NULL,
            root_id TEXT, parent_id TEXT, group_id TEXT,
            state TEXT NOT NULL,
            started_at REAL, finished_at REAL,
            error_type TEXT, error_message TEXT,
            next_countdown REAL,
            expires_at INTEGER NOT NULL,
            UNIQUE (task_id, attempt)
        );
        INSERT INTO attempts_v2 SELECT seq, task_id, attempt, task_name, root_id, parent_id, group_id, state, started_at,
            finished_at, error_type, error_message, next_countdown, expires_at FROM attempts;
        DROP TABLE attempts;
        ALTER TABLE attempts_v2 RENAME TO attempts;
        CREATE INDEX attempts_root ON attempts(root_id, seq);
        CREATE INDEX attempts_expiry ON attempts(expires_at);
        """,
        // 3: the commit of a task's bookkeeping wrote a page of indexes it
        // can do without: `results_expiry`, `attempts_expiry` and
        // `chords_expiry` (their entries moved at every state change or
        // counted part) and `attempts_root`, though a lone task is its own
        // root. Row ids are first-written order, so the retention sweep walks
        // the rows oldest first by row id and stops at the first written after
        // its horizon (`created_at`); the root index holds only the attempts of
        // tasks that are not their workflow's root. Rows written before have
        // no `created_at`: it is taken as their expiry less the default
        // retention (at least their last write). A chord's parts are unique by
        // (group, index, task) in that order, so parts counted in about index
        // order add to one page, and `seq` stops counting in `sqlite_sequence`.
        """
        ALTER TABLE results ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;  -- first written; row ids follow it
        UPDATE results SET created_at = max(0, expires_at - 86400000000);
        DROP INDEX results_expiry;
        ALTER TABLE attempts ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;  -- first recorded; seq follows it
        UPDATE attempts SET created_at = max(0, expires_at - 604800000000);
        DROP INDEX attempts_expiry;
        DROP INDEX attempts_root;
        CREATE INDEX attempts_root ON attempts(root_id, seq) WHERE root_id IS NOT task_id;
        ALTER TABLE chords ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;  -- first written; row ids follow it
        UPDATE chords SET created_at = max(0, expires_at - 86400000000);
        DROP INDEX chords_expiry;
        CREATE TABLE chord_parts_v3 (
            seq INTEGER PRIMARY KEY,               -- order among parts of the same index
            group_id TEXT NOT NULL REFERENCES chords(group_id) ON DELETE CASCADE,
            task_id TEXT NOT NULL,
            group_index INTEGER NOT NULL,
            state TEXT NOT NULL,
            result TEXT NOT NULL,
            UNIQUE (group_id, group_index, task_id)
        );
        INSERT INTO chord_parts_v3 SELECT seq, group_id, task_id, group_index, state, result FROM chord_parts;
        DROP TABLE chord_parts;
        ALTER TABLE chord_parts_v3 RENAME TO chord_parts;
        """,
        // 4: a task's latest attempt lives in its `results` row, so the
        // commit of a task's start and end writes one table and one index
        // instead of two of each (`attempts` and its (task_id, attempt)
        // index). `attempts` keeps the earlier attempts of retried tasks. A
        // row may hold an attempt without a result (state NULL) or a result
        // without an attempt (attempt NULL). Attempts list in the order they
        // were first recorded: `results.rowid` and `attempts.ord` count in one
        // sequence (`nextOrder`); `attempts.seq` stays the insertion order the
        // retention sweep walks.
        """
        CREATE TABLE results_v4 (
            id INTEGER PRIMARY KEY,                -- first-recorded order of the current attempt, or first write
            task_id TEXT NOT NULL UNIQUE,
            state TEXT,                            -- NULL: no result (only an attempt)
            result TEXT,
            error_type TEXT, error_message TEXT, error_module TEXT,
            traceback TEXT,
            children TEXT,
            date_done REAL,
            retries INTEGER,
            group_id TEXT, parent_id TEXT, name TEXT, worker TEXT, queue TEXT,
            updated_at INTEGER,
            expires_at INTEGER,                    -- the result's expiry (NULL without a result)
            created_at INTEGER NOT NULL,           -- first written; row ids follow it
            attempt INTEGER,                       -- the latest attempt (NULL: none recorded)
            attempt_task_name TEXT, root_id TEXT, attempt_parent_id TEXT, attempt_group_id TEXT,
            attempt_state TEXT, started_at REAL, finished_at REAL,
            attempt_error_type TEXT, attempt_error_message TEXT, next_countdown REAL,
            attempt_expires_at INTEGER
        );
        INSERT INTO results_v4 (id, task_id, state, result, error_type, error_message, error_module, traceback, children,
            date_done, retries, group_id, parent_id, name, worker, queue, updated_at, expires_at, created_at)
        SELECT rowid, task_id, state, result, error_type, error_message, error_module, traceback, children, date_done,
            retries, group_id, parent_id, name, worker, queue, updated_at, expires_at, created_at FROM results ORDER BY rowid;
        DROP TABLE results;
        ALTER TABLE results_v4 RENAME TO results;
        CREATE INDEX results_root ON results(root_id, id) WHERE root_id IS NOT task_id AND root_id IS NOT NULL;
        ALTER TABLE attempts ADD COLUMN ord INTEGER NOT NULL DEFAULT 0;  -- listing order (see above)
        UPDATE attempts SET ord = seq;
        DROP INDEX attempts_root;
        CREATE INDEX attempts_root ON attempts(root_id, ord) WHERE root_id IS NOT task_id;
        """,
    ]

    /// The schema version this build writes.
    static var schemaVersion: Int64 { Int64(migrations.count) }

    /// Checks the file is a Chorus database (or empty), switches it to WAL,
    /// and migrates it. Nothing is written before the checks pass.
    /// Static: it runs in `init` before every stored property is set.
    static func openSchema(pool: SQLiteConnectionPool, path: String, options: Options) throws(ChorusError) {
        let connection: SQLiteConnection
        do throws(SQLiteError) {
            connection = try pool.checkout(timeout: max(options.busyTimeout, 0.001))
        } catch {
            throw describe(error, "opening it", path: path, busyTimeout: options.busyTimeout)
        }
        defer { pool.checkin(connection) }
        // Retried whole while the file is busy: switching to WAL needs the
        // file to itself, and SQLite reports SQLITE_BUSY at once there
        // instead of waiting in the busy handler. Two processes creating one
        // database together made the later one fail in about a millisecond.
        let start = Date()
        var retry = 0
        while true {
            do throws(SQLiteError) {
                try prepareSchema(connection, path: path, options: options)
                return
            } catch where error.isBusy {
                if !connection.isAutocommit { try? connection.exec("ROLLBACK") }
                guard let pause = busyRetryPause(retry, since: start, busyTimeout: options.busyTimeout) else {
                    throw describe(error, "opening it", path: path, busyTimeout: options.busyTimeout)
                }
                Thread.sleep(forTimeInterval: pause)
                retry += 1
            } catch {
                throw describe(error, "opening it", path: path, busyTimeout: options.busyTimeout)
            }
        }
    }

    /// The checks, the WAL switch and the migrations of `openSchema`, once.
    private static func prepareSchema(_ connection: SQLiteConnection, path: String, options: Options) throws(SQLiteError) {
        // One read transaction, so the application id, version and tables
        // come from the same snapshot: read one by one, a process creating
        // the file meanwhile made a half-seen Chorus database look foreign.
        try connection.exec("BEGIN")
        let fresh: Bool
        do {
            fresh = try checkOwnership(connection, path: path)
        } catch {
            try? connection.exec("ROLLBACK")
            throw error
        }
        try connection.exec("COMMIT")
        if !fresh && options.verifyOnOpen { try probeBTrees(connection) }
        if !fresh && options.fullCheckOnOpen { try fullCheck(connection) }
        let mode = try connection.queryFirst("PRAGMA journal_mode = WAL") { $0.text(0) } ?? ""
        guard mode.lowercased() == "wal" else {
            throw SQLiteError(ChorusError(.backend, "database \(path) cannot use WAL mode (journal mode stays '\(mode)'); put it on a local file system"))
        }
        try connection.immediateTransaction { (c: SQLiteConnection) throws(SQLiteError) in
            _ = try checkOwnership(c, path: path)  // another process may have created it meanwhile
            var version = try c.queryFirst("PRAGMA user_version") { $0.int(0) } ?? 0
            while version < Self.schemaVersion {
                try c.exec(Self.migrations[Int(version)])
                version += 1
            }
            try c.exec("PRAGMA user_version = \(version); PRAGMA application_id = \(Self.applicationID);")
        }
    }

    /// Refuses a file that is not SQLite, another application's database, or
    /// a newer Chorus schema. Returns true when the database is empty (new).
    private static func checkOwnership(_ connection: SQLiteConnection, path: String) throws(SQLiteError) -> Bool {
        let application = try connection.queryFirst("PRAGMA application_id") { $0.int(0) } ?? 0
        let version = try connection.queryFirst("PRAGMA user_version") { $0.int(0) } ?? 0
        let tables = try connection.query(
            "SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name LIMIT 3") { $0.text(0) }
        if application == Self.applicationID {
            guard version <= Self.schemaVersion else {
                throw SQLiteError(ChorusError(.backend, "database \(path) has schema version \(version) from a newer Chorus (this build knows \(Self.schemaVersion)); upgrade chorus or use another --db path"))
            }
            return version == 0 && tables.isEmpty
        }
        if application == 0 && tables.isEmpty && version == 0 { return true }
        let what = application != 0
            ? "its application id is \(application), not Chorus's"
            : "it holds tables of another application (\(tables.joined(separator: ", ")))"
        throw SQLiteError(ChorusError(.backend, "\(path) is another application's SQLite database (\(what)), refusing to use it; pass another --db path — Chorus never overwrites it"))
    }
}
