import Testing
@testable import Chorus

/// The signature grammar of chorus.h: what it accepts (with free whitespace)
/// and what it rejects, with the 1-based column of the problem.
@Suite struct SignatureParserTests {
    @Test(arguments: [
        ("int64 (int64 report_id)", "int64 (int64 report_id)"),
        ("void ()", "void ()"),
        ("void()", "void ()"),
        ("  json\t(\n json items ,double   factor )  ", "json (json items, double factor)"),
        ("bytes (bytes _b, string s2, bool B_)", "bytes (bytes _b, string s2, bool B_)"),
        ("uint64 (uint64 a, int32 b, int64 c, double d, string e, json f, bytes g, bool h)",
         "uint64 (uint64 a, int32 b, int64 c, double d, string e, json f, bytes g, bool h)"),
    ])
    func accepts(text: String, canonical: String) throws {
        #expect(try TaskSignature(parsing: text).description == canonical)
    }

    @Test func parsesTypesAndNames() throws {
        let s = try TaskSignature(parsing: "double (int32 a, bytes b)")
        #expect(s.returnType == .double)
        #expect(s.parameters == [.init(name: "a", type: .int32), .init(name: "b", type: .bytes)])
    }

    @Test(arguments: [
        ("", 1, "expected a type but the text ended"),
        ("int64", 6, "expected '(' but the text ended"),
        ("(int64 x)", 1, "expected a type name"),
        ("int64 (void x)", 8, "'void' is not a valid parameter type"),
        ("int64 (float x)", 8, "unknown type 'float'"),
        ("Int64 ()", 1, "unknown type 'Int64'"),
        ("int64 (int64 x", 15, "expected ',' or ')'"),
        ("int64 (int64 x, int64 x)", 23, "duplicate parameter name 'x'"),
        ("int64 (int64 x) extra", 17, "unexpected text after ')'"),
        ("int64 (int64 x);", 16, "unexpected text after ')'"),
        ("int64 (int64)", 13, "expected a parameter name after 'int64'"),
        ("int64 (int64 1x)", 14, "expected a parameter name"),
        ("int64 (int64 x,)", 16, "expected a type name"),
        ("int64 (int64 x y)", 16, "expected ',' or ')'"),
        ("int64 (int64 é)", 14, "expected a parameter name"),
        ("int64 (int64 x, , int64 y)", 17, "expected a type name"),
    ] as [(String, Int, String)])
    func rejects(text: String, column: Int, problem: String) {
        #expect {
            try TaskSignature(parsing: text)
        } throws: { error in
            guard let error = error as? ChorusError else { return false }
            #expect(error.code == .invalidSignature)
            #expect(error.message.contains("signature \"\(text)\""), "\(error.message)")
            #expect(error.message.contains("column \(column):"), "\(error.message)")
            #expect(error.message.contains(problem), "\(error.message)")
            return true
        }
    }
}
