import Testing
@testable import Chorus

@Suite struct JSONTests {
    @Test func escapesOnlyWhatJSONRequiresAndKeepsUTF8() throws {
        let text = "a\"b\\c\nd\re\tf\u{08}g\u{0C}h\u{01}i\u{1F}j"
        #expect(JSON.string(text).serialized() == #""a\"b\\c\nd\re\tf\bg\fh\u0001i\u001fj""#)
        #expect(JSON.string("").serialized() == #""""#)
        #expect(JSON.string("héllo — 日本 🎉").serialized() == "\"héllo — 日本 🎉\"")
        #expect(JSON.string("\"").serialized() == #""\"""#)
        for s in [text, "", "héllo — 日本 🎉", "\u{7F}\u{00}end", String(repeating: "x\n", count: 300)] {
            #expect(try JSON(parsing: JSON.string(s).serialized()) == .string(s))
        }
    }

    @Test func writesIntegersAndNestingCompactly() {
        let v: JSON = ["k": [0, -1, 7, 10, -10, .int(.max), .int(.min), .uint(.max)], "e": [], "o": [:], "n": .null, "b": [true, false]]
        #expect(v.serialized() == #"{"k":[0,-1,7,10,-10,9223372036854775807,-9223372036854775808,18446744073709551615],"e":[],"o":{},"n":null,"b":[true,false]}"#)
    }

    @Test func roundTripsExactIntegers() throws {
        let v = try JSON(parsing: #"[9223372036854775807, 18446744073709551615, -9223372036854775808, 1.0, 1e3]"#)
        #expect(v == .array([.int(.max), .uint(.max), .int(.min), .double(1), .double(1000)]))
        #expect(v.serialized() == "[9223372036854775807,18446744073709551615,-9223372036854775808,1.0,1000.0]")
    }
}
