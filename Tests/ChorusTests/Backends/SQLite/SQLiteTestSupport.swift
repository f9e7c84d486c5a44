import Foundation

@testable import Chorus

/// A private temporary directory for one test's database files, removed on deinit.
final class TemporaryDirectory: Sendable {
    let path: String

    init() {
        var template = Array((NSTemporaryDirectory() + "/chorus-sqlite-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        path = String(cString: template.withUnsafeBufferPointer { $0.baseAddress! })
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    var database: String { path + "/chorus.db" }

    func file(_ name: String) -> String { path + "/" + name }
}

enum SQLiteFixtures {
    static func message(_ id: String, task: String = "proj.add", eta: Date? = nil, args: [JSON] = [1, 2]) -> TaskMessage {
        TaskMessage(headers: TaskHeaders(task: task, id: id, eta: eta), args: args)
    }

    /// Runs a raw SQL script on `path` with its own connection (another "process").
    static func rawSQL(_ path: String, _ sql: String) throws {
        let connection = try rawConnection(path)
        try connection.exec(sql)
    }

    static func rawConnection(_ path: String) throws -> SQLiteConnection {
        do { return try SQLiteConnection(path: path) } catch { throw ChorusError(.backend, error.message) }
    }
}

extension SQLiteConnection {
    /// `exec` for tests, with an untyped error.
    func execute(_ sql: String) throws {
        do { try exec(sql) } catch { throw ChorusError(.backend, error.message) }
    }
}
