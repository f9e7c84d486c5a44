import Chorus
import Foundation

/// Exit codes of `chorus`, following sysexits(3) where one fits.
enum ExitStatus {
    /// The task ran and failed, or was revoked.
    static let taskFailed: Int32 = 1
    /// A command-line usage error (ArgumentParser's own code).
    static let usage: Int32 = 64
    /// Bad input data: malformed JSON or canvas, unknown task, arguments that do not fit.
    static let dataError: Int32 = 65
    /// A wait timed out.
    static let timeout: Int32 = 75
    /// A bug in Chorus.
    static let software: Int32 = 70
    /// A plugin could not be loaded: missing, unsafe, wrong ABI, malformed.
    static let configuration: Int32 = 78

    static func code(for error: ChorusError) -> Int32 {
        switch error.code {
        case .taskFailed, .revoked: taskFailed
        case .invalidInput, .unknownTask, .badArguments, .badResult: dataError
        case .pluginLoad, .unsafePlugin, .abiMismatch, .invalidDescriptor, .invalidSignature, .duplicateTask: configuration
        case .timeout: timeout
        default: software
        }
    }
}

/// A failure a command already described, with the exit code to use.
struct CommandFailure: Error {
    var message: String
    var status: Int32
}

/// Prints errors as one line on stderr and exits.
enum ErrorReporter {
    static func report(_ error: ChorusError) -> Never {
        fail(error.message, status: ExitStatus.code(for: error))
    }

    static func report(_ failure: CommandFailure) -> Never {
        fail(failure.message, status: failure.status)
    }

    static func fail(_ message: String, status: Int32) -> Never {
        let line = message.replacingOccurrences(of: "\n", with: " ")
        FileHandle.standardError.write(Data("chorus: error: \(line)\n".utf8))
        exit(status)
    }
}
