import ArgumentParser
import Chorus
import Foundation

/// `--db PATH`: the durable SQLite database (else `CHORUS_DB`, else
/// `~/.local/state/chorus/chorus.db`, following XDG_STATE_HOME).
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("db"), help: ArgumentHelp("The SQLite database (default: $CHORUS_DB, else ~/.local/state/chorus/chorus.db).", valueName: "PATH"))
    var path: String?

    /// The path to use: the option, CHORUS_DB, or the XDG default.
    func resolvedPath() throws(ChorusError) -> String {
        try SQLiteBackend.resolvePath(path)
    }

    func open(scale: Double = 1) throws(ChorusError) -> SQLiteBackend {
        try SQLiteBackend(path: resolvedPath(), scale: TimeScale(validating: scale))
    }
}

/// `--db PATH` for commands that run in process with or without a database.
struct OptionalDatabaseOptions: ParsableArguments {
    @Option(name: .customLong("db"), help: ArgumentHelp("Keep queue, results, history and plugin state in this SQLite database instead of memory.", valueName: "PATH"))
    var path: String?

    /// A runtime on the database when `--db` is given, else in memory.
    func makeRuntime(registry: TaskRegistry, configuration: RuntimeConfiguration) throws(ChorusError) -> Runtime {
        guard let path else { return try Runtime(registry: registry, configuration: configuration) }
        let backend = try SQLiteBackend(path: SQLiteBackend.resolvePath(path), scale: TimeScale(validating: configuration.timeScale))
        return try Runtime(registry: registry, configuration: configuration, broker: backend, store: backend, state: backend)
    }
}
