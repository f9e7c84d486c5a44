import Chorus
import Foundation

/// Reads the CANVAS argument of `chorus apply`: `@file` reads a file; text
/// starting with `{` is Celery JSON; anything else is the one-line syntax.
enum CanvasInput {
    static func parse(_ argument: String) throws(ChorusError) -> Canvas {
        var text = argument
        if argument.hasPrefix("@") {
            let path = String(argument.dropFirst())
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ChorusError(.invalidInput, "cannot read canvas file \(path): no such file or not readable")
            }
            guard let contents = String(data: data, encoding: .utf8) else {
                throw ChorusError(.invalidInput, "canvas file \(path) is not UTF-8 text")
            }
            text = contents
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw ChorusError(.invalidInput, "the canvas is empty; write e.g. 'add(2, 3) | mul(10)' or a Celery signature dict")
        }
        if trimmed.hasPrefix("{") { return try Canvas(parsingJSON: trimmed) }
        return try Canvas(parsing: trimmed)
    }
}
