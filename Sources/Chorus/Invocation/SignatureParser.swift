/// Reads the signature text a task descriptor declares:
///
///     signature := type "(" [ param { "," param } ] ")"
///     param     := type identifier
///     type      := "void" | "bool" | "int32" | "int64" | "uint64" | "double"
///                | "string" | "json" | "bytes"
///
/// Whitespace is free. `void` is a return type only; parameter names are C
/// identifiers and must be unique. Errors name the 1-based column.
struct SignatureParser {
    private let text: String
    private let chars: [Character]
    private var index = 0

    init(_ text: String) {
        self.text = text
        self.chars = Array(text)
    }

    mutating func parse() throws(ChorusError) -> TaskSignature {
        skipSpace()
        let returnType = try parseType(asParameter: false)
        skipSpace()
        try expect("(")
        var params: [TaskSignature.Parameter] = []
        skipSpace()
        if peek() == ")" {
            index += 1
        } else {
            while true {
                skipSpace()
                let type = try parseType(asParameter: true)
                skipSpace()
                let nameColumn = index
                guard let name = identifier() else {
                    throw fail("expected a parameter name after '\(type.name)'", at: index)
                }
                if params.contains(where: { $0.name == name }) {
                    throw fail("duplicate parameter name '\(name)'", at: nameColumn)
                }
                params.append(.init(name: name, type: type))
                skipSpace()
                if peek() == "," { index += 1; continue }
                if peek() == ")" { index += 1; break }
                throw fail("expected ',' or ')'", at: index)
            }
        }
        skipSpace()
        if index < chars.count { throw fail("unexpected text after ')'", at: index) }
        return TaskSignature(returnType: returnType, parameters: params)
    }

    private func fail(_ message: String, at position: Int) -> ChorusError {
        ChorusError(.invalidSignature, "signature \"\(text)\" at column \(position + 1): \(message)")
    }

    private func peek() -> Character? { index < chars.count ? chars[index] : nil }

    private mutating func skipSpace() {
        while let c = peek(), c.isWhitespace { index += 1 }
    }

    private mutating func expect(_ c: Character) throws(ChorusError) {
        guard peek() == c else {
            throw fail(peek() == nil ? "expected '\(c)' but the text ended" : "expected '\(c)'", at: index)
        }
        index += 1
    }

    private mutating func identifier() -> String? {
        guard let first = peek(), first == "_" || (first.isASCII && first.isLetter) else { return nil }
        let start = index
        while let c = peek(), c == "_" || (c.isASCII && (c.isLetter || c.isNumber)) { index += 1 }
        return String(chars[start..<index])
    }

    private mutating func parseType(asParameter: Bool) throws(ChorusError) -> ValueType {
        let start = index
        guard let word = identifier() else {
            throw fail(peek() == nil ? "expected a type but the text ended" : "expected a type name", at: start)
        }
        guard let type = ValueType(rawValue: word) else {
            let known = ValueType.allCases.map(\.name).joined(separator: ", ")
            throw fail("unknown type '\(word)' (known types: \(known))", at: start)
        }
        if asParameter && !type.isValidParameter {
            throw fail("'void' is not a valid parameter type; write '()' for no parameters", at: start)
        }
        return type
    }
}
