import OrderedCollections

/// Recursive-descent parser for the one-line canvas syntax (grammar in
/// `CanvasSyntax.swift`). Works on UTF-8 bytes; reports 1-based character columns.
struct CanvasParser {
    let bytes: [UInt8]
    var index = 0
    var depth = 0
    static let maximumDepth = 200

    /// A parsed term: a finished canvas, or a chord header still waiting for its body.
    enum Term {
        case canvas(Canvas)
        case chordHeader(Group, at: Int)
    }

    init(_ text: String) { bytes = Array(text.utf8) }

    mutating func parseCanvas() throws(ChorusError) -> Canvas {
        skipSpaces()
        let canvas = try parsePipeline()
        skipSpaces()
        if index < bytes.count { throw error("unexpected \(describeCurrent()) after the canvas") }
        return canvas
    }

    // MARK: - Pipelines and terms

    mutating func parsePipeline() throws(ChorusError) -> Canvas {
        depth += 1
        defer { depth -= 1 }
        if depth > Self.maximumDepth { throw error("canvas nested deeper than \(Self.maximumDepth) levels") }
        var terms = [try parseTerm()]
        while skipSpaces(), consume("|") {
            skipSpaces()
            terms.append(try parseTerm())
        }
        // A chord header takes the term after it as its body (right to left, so
        // `chord(a()) | chord(b()) | c()` nests).
        var steps: [Canvas] = []
        for term in terms.reversed() {
            switch term {
            case .canvas(let c):
                steps.insert(c, at: 0)
            case .chordHeader(let header, let at):
                guard !steps.isEmpty else {
                    throw error("chord(...) needs a body: write chord(...) | body(...) or chord(..., body=body(...))", at: at)
                }
                steps[0] = .chord(Chord(header: header, body: steps[0]))
            }
        }
        return steps.count == 1 ? steps[0] : .chain(Chain(steps))
    }

    mutating func parseTerm() throws(ChorusError) -> Term {
        var term = try parsePrimary()
        while skipSpaces(), peek() == UInt8(ascii: ".") {
            let at = index
            index += 1
            let name = identifier()
            guard name == "on_success" || name == "on_error" else {
                throw error("unknown suffix .\(name); expected .on_success(...) or .on_error(...)", at: at)
            }
            skipSpaces()
            try expect("(", after: ".\(name)")
            skipSpaces()
            let callback = try parsePipeline().signature
            skipSpaces()
            try expect(")", after: "the callback")
            guard case .canvas(var canvas) = term else {
                throw error("give the chord its body before .\(name)(...)", at: at)
            }
            if name == "on_success" {
                do { try canvas.link(callback) } catch { throw self.error(error.message, at: at) }
            } else {
                canvas.linkError(callback)
            }
            term = .canvas(canvas)
        }
        return term
    }

    mutating func parsePrimary() throws(ChorusError) -> Term {
        let start = index
        if consume("(") {
            skipSpaces()
            let inner = try parsePipeline()
            skipSpaces()
            try expect(")", after: "the parenthesised canvas")
            return .canvas(inner)
        }
        let immutable = consume("si:")
        let name = dottedName()
        guard !name.isEmpty else {
            throw error(immutable ? "expected a task name after si:" : "expected a task, group(...), chain(...), chord(...) or '(', got \(describeCurrent())")
        }
        skipSpaces()
        if !immutable, ["group", "chain", "chord"].contains(name), peek() == UInt8(ascii: "(") {
            return try parseComposite(name, at: start)
        }
        try expect("(", after: "task name \"\(name)\"")
        let (args, kwargs) = try parseArguments()
        return .canvas(.task(Signature(name, args: args, kwargs: kwargs, immutable: immutable)))
    }

    mutating func parseComposite(_ kind: String, at start: Int) throws(ChorusError) -> Term {
        index += 1  // "("
        var members: [Canvas] = []
        var body: Canvas?
        skipSpaces()
        while !consume(")") {
            if !members.isEmpty || body != nil {
                try expect(",", after: "a member of \(kind)(...)", orClose: true)
                skipSpaces()
                if consume(")") { break }
            }
            if body != nil { throw error("body= must be the last argument of chord(...)") }
            let save = index
            if kind == "chord", identifier() == "body", skipSpaces(), consume("=") {
                skipSpaces()
                body = try parsePipeline()
            } else {
                index = save
                members.append(try parsePipeline())
            }
            skipSpaces()
        }
        switch kind {
        case "group": return .canvas(.group(Group(members)))
        case "chain": return .canvas(.chain(Chain(members)))
        default:
            if let body { return .canvas(.chord(Chord(members, body: body))) }
            return .chordHeader(Group(members), at: start)
        }
    }

    // MARK: - Task arguments

    mutating func parseArguments() throws(ChorusError) -> ([JSON], OrderedDictionary<String, JSON>) {
        var args: [JSON] = []
        var kwargs = OrderedDictionary<String, JSON>()
        skipSpaces()
        while !consume(")") {
            if !args.isEmpty || !kwargs.isEmpty {
                try expect(",", after: "an argument", orClose: true)
                skipSpaces()
                if consume(")") { break }
            }
            let at = index
            let key = identifier()
            if !key.isEmpty, skipSpaces(), consume("=") {
                if kwargs[key] != nil { throw error("duplicate keyword argument \"\(key)\"", at: at) }
                skipSpaces()
                kwargs[key] = try parseValue()
            } else {
                index = at
                if !kwargs.isEmpty { throw error("positional argument after keyword arguments") }
                args.append(try parseValue())
            }
            skipSpaces()
        }
        return (args, kwargs)
    }

    mutating func parseValue() throws(ChorusError) -> JSON {
        let at = index
        let word = identifier()
        if !word.isEmpty, !["true", "false", "null"].contains(word) {
            throw error("expected a JSON value, got \(word) (strings need double quotes)", at: at)
        }
        index = at
        var json = JSONParser(bytes)
        json.index = index
        do {
            let value = try json.parseValue()
            index = json.index
            return value
        } catch {
            throw self.error("invalid value: \(error.message)", at: error.column - 1)
        }
    }
}
