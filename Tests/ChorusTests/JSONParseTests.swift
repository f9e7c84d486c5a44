import Foundation
import Testing

@testable import Chorus

/// The strict JSON reader: what it accepts, and the one-line error (with a
/// column) for each kind of bad input.
@Suite struct JSONParseTests {
    func failure(_ text: String) -> JSONParseError? {
        do {
            _ = try JSON(parsing: text)
            return nil
        } catch {
            return error
        }
    }

    func failure(bytes: [UInt8]) -> JSONParseError? {
        do {
            _ = try JSON(parsingUTF8: bytes)
            return nil
        } catch {
            return error
        }
    }

    @Test func objectsKeepTheirKeyOrder() throws {
        let keys = (0..<40).map { "k\(39 - $0)" }
        let text = "{" + keys.enumerated().map { "\"\($0.element)\": \($0.offset)" }.joined(separator: ", ") + "}"
        let object = try #require(try JSON(parsing: text).objectValue)
        #expect(Array(object.keys) == keys)
        #expect(object["k0"] == 39 && object["k39"] == 0)
        #expect(try JSON(parsing: " { } ") == .object([:]) && JSON(parsing: "[]") == .array([]))
    }

    @Test func duplicateKeysAreRefusedInSmallAndLargeObjects() {
        #expect(failure(#"{"a": 1, "b": 2, "a": 3}"#) == JSONParseError(message: #"duplicate object key "a""#, column: 18))
        // Same length, different text: not a duplicate.
        #expect(failure(#"{"ab": 1, "ba": 2}"#) == nil)
        // Past the keys compared one by one, a set takes over.
        let many = (0..<50).map { "\"key\($0)\": \($0)" }.joined(separator: ", ")
        #expect(failure("{\(many)}") == nil)
        let error = failure("{\(many), \"key7\": 0}")
        #expect(error?.message == #"duplicate object key "key7""#)
        // Spelled differently, the same key once decoded.
        #expect(failure(#"{"ab": 1, "a\u0062": 2}"#)?.message == #"duplicate object key "ab""#)
        // Canonically equivalent keys are one key for Swift's dictionary, so
        // a duplicate, though their bytes (and lengths) differ.
        #expect(failure("{\"\u{E9}\": 1, \"e\u{301}\": 2}")?.message.hasPrefix("duplicate object key") == true)
        #expect(failure("{\"x\": 0, \"e\u{301}\": 1, \"\u{E9}\": 2}")?.message.hasPrefix("duplicate object key") == true)
    }

    @Test func textInAnyScriptReadsBackAndBadUTF8IsRefused() throws {
        for s in ["é", "日本語のテキスト", "emoji 🎻 and \u{1F600}", "mixed ascii and ü"] {
            #expect(try JSON(parsing: JSON.string(s).serialized()) == .string(s))
        }
        // 0xC3 must be followed by a continuation byte: without an escape, and after one.
        #expect(failure(bytes: [0x22, 0xC3, 0x28, 0x22]) == JSONParseError(message: "invalid UTF-8 in a string", column: 2))
        #expect(failure(bytes: Array(#""\n"#.utf8) + [0xFF, 0x22])?.message == "invalid UTF-8 in a string")
        // A lone byte that decoding would replace with U+FFFD is refused, while a real U+FFFD is kept.
        #expect(failure(bytes: [0x22, 0x61, 0xFE, 0x22]) != nil)
        #expect(try JSON(parsing: "\"\u{FFFD}\"") == .string("\u{FFFD}"))
    }

    @Test func literalsAreExact() throws {
        #expect(try JSON(parsing: "[true, false, null]") == [true, false, .null])
        #expect(failure("nul") == JSONParseError(message: "invalid literal, expected 'null'", column: 1))
        #expect(failure("[1, tru]") == JSONParseError(message: "invalid literal, expected 'true'", column: 5))
        #expect(failure("falsy") == JSONParseError(message: "invalid literal, expected 'false'", column: 1))
        #expect(failure("nullx") == JSONParseError(message: "unexpected text after the value", column: 5))
    }

    @Test func otherMalformedTextSaysWhereAndWhat() {
        #expect(failure(#"{"a" 1}"#)?.message == "expected ':' after an object key")
        #expect(failure(#"{1: 2}"#)?.message == "expected a string key in an object")
        #expect(failure(#"{"a": 1"#)?.message == "unexpected end of input in an object, expected ',' or '}'")
        #expect(failure(#"["a" "b"]"#)?.message == "expected ',' or ']' in an array")
        #expect(failure("\"abc")?.message == "unterminated string")
        #expect(failure("\"a\u{01}\"")?.message == "control character in a string; escape it")
        #expect(failure(#""\q""#)?.message == #"invalid escape '\q'"#)
        #expect(failure("01")?.message == "invalid number: leading zero")
    }
}
