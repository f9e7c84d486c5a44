import Foundation

/// Where the database lives when the caller does not say.
extension SQLiteBackend {
    /// The database path: `explicit` (`--db`) if given, else `CHORUS_DB`, else
    /// `defaultPath(environment:)` (whose directory it creates).
    public static func resolvePath(_ explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws(ChorusError) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let fromEnvironment = environment["CHORUS_DB"], !fromEnvironment.isEmpty { return fromEnvironment }
        return try defaultPath(environment: environment)
    }

    /// `$XDG_STATE_HOME/chorus/chorus.db`, or `~/.local/state/chorus/chorus.db`
    /// when `XDG_STATE_HOME` is unset or not absolute (XDG Base Directory
    /// spec). Creates the `chorus` directory (and missing parents) with mode
    /// 0700, since results and plugin state may be private.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) throws(ChorusError) -> String {
        let stateHome: String
        if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") {
            stateHome = xdg
        } else if let home = environment["HOME"], home.hasPrefix("/") {
            stateHome = home + "/.local/state"
        } else {
            throw ChorusError(.invalidInput, "cannot find a place for the database: HOME and XDG_STATE_HOME are unset; pass --db PATH or set CHORUS_DB")
        }
        let directory = stateHome + "/chorus"
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw ChorusError(.backend, "cannot create the database directory \(directory) (\(error.localizedDescription)); pass --db PATH or set CHORUS_DB")
        }
        return directory + "/chorus.db"
    }
}
