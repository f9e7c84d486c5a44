@testable import Chorus

/// Shorthands for canvas tests.
func canvas(_ text: String) throws -> Canvas { try Canvas(parsing: text) }

func json(_ text: String) throws -> JSON { try JSON(parsing: text) }

/// The task signature inside a `.task` canvas, or nil.
extension Canvas {
    var task: Signature? {
        if case .task(let s) = self { return s }
        return nil
    }
}

/// The thrown ChorusError's message, or nil when nothing (or something else) was thrown.
func errorMessage(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch let error as ChorusError {
        return error.message
    } catch {
        return nil
    }
}
