import OrderedCollections

/// Conversion between ``Canvas`` and Celery's signature dicts:
/// `celery.chain` / `celery.group` keep members in `kwargs.tasks`;
/// `celery.chord` keeps `kwargs.header` (a list, or a full group dict once
/// frozen), `kwargs.body` and the partial `kwargs.kwargs`.
extension Canvas {
    /// Decodes a canvas from a signature dict, validating every level.
    public init(json: JSON, path: String = "canvas") throws(ChorusError) {
        try self.init(signature: Signature(json: json, path: path, checkingMembers: false), path: path)
    }

    /// Parses signature JSON text.
    public init(parsingJSON text: String) throws(ChorusError) {
        let value: JSON
        do { value = try JSON(parsing: text) } catch { throw ChorusError(.invalidInput, error.description) }
        try self.init(json: value)
    }

    /// The structured view of a signature; plain tasks (and Celery-only
    /// composites such as `chunks`) become `.task`.
    public init(signature s: Signature, path: String = "canvas") throws(ChorusError) {
        switch s.subtaskType {
        case .chain?, .group?:
            var kwargs = s.kwargs
            guard let tasksValue = kwargs.removeValue(forKey: "tasks") else {
                throw CanvasDecoding.error("\(path).kwargs", "missing key \"tasks\"")
            }
            let tasks = try Canvas.members(tasksValue, path: "\(path).kwargs.tasks")
            self = s.subtaskType == .chain
                ? .chain(Chain(tasks, args: s.args, kwargs: kwargs, options: s.options, immutable: s.immutable))
                : .group(Group(tasks, args: s.args, kwargs: kwargs, options: s.options, immutable: s.immutable))
        case .chord?:
            self = .chord(try Canvas.chord(s, path: path))
        default:
            self = .task(s)
        }
    }

    /// The canvas as a signature dict.
    public var signature: Signature {
        switch self {
        case .task(let s):
            return s
        case .chain(let c):
            return Signature("celery.chain", args: c.args, kwargs: Canvas.tasksKwargs(c.tasks, c.kwargs),
                             options: c.options, subtaskType: .chain, immutable: c.immutable)
        case .group(let g):
            return g.signature
        case .chord(let c):
            let h = c.header
            let plainHeader = h.options.isEmpty && h.args.isEmpty && h.kwargs.isEmpty && !h.immutable
            let header: JSON = plainHeader ? .array(h.tasks.map(\.json)) : h.signature.json
            return Signature("celery.chord", args: c.args,
                             kwargs: ["kwargs": .object(c.kwargs), "header": header, "body": c.body.json],
                             options: c.options, subtaskType: .chord, immutable: c.immutable)
        }
    }

    /// The canvas as signature JSON.
    public var json: JSON { signature.json }

    private static func tasksKwargs(_ tasks: [Canvas], _ rest: OrderedDictionary<String, JSON>) -> OrderedDictionary<String, JSON> {
        var kwargs: OrderedDictionary<String, JSON> = ["tasks": .array(tasks.map(\.json))]
        for (k, v) in rest { kwargs[k] = v }
        return kwargs
    }

    private static func members(_ value: JSON, path: String) throws(ChorusError) -> [Canvas] {
        guard case .array(let items) = value else { throw CanvasDecoding.mismatch(path, "an array of signatures", value) }
        var out: [Canvas] = []
        for (i, item) in items.enumerated() { out.append(try Canvas(json: item, path: "\(path)[\(i)]")) }
        return out
    }

    private static func chord(_ s: Signature, path: String) throws(ChorusError) -> Chord {
        let kpath = "\(path).kwargs"
        var partialKwargs = OrderedDictionary<String, JSON>()
        for (key, value) in s.kwargs {
            switch key {
            case "header", "body": continue
            case "kwargs":
                guard case .object(let o) = value else { throw CanvasDecoding.mismatch("\(kpath).kwargs", "an object", value) }
                partialKwargs = o
            default:
                throw CanvasDecoding.error("\(kpath).\(key)", "unexpected key in a chord signature")
            }
        }
        guard let headerValue = s.kwargs["header"] else { throw CanvasDecoding.error(kpath, "missing key \"header\"") }
        guard let bodyValue = s.kwargs["body"] else { throw CanvasDecoding.error(kpath, "missing key \"body\"") }
        let header: Group
        switch headerValue {
        case .array:
            header = Group(try members(headerValue, path: "\(kpath).header"))
        case .object:
            guard case .group(let g) = try Canvas(json: headerValue, path: "\(kpath).header") else {
                throw CanvasDecoding.error("\(kpath).header", "expected a list or a group signature, got another signature")
            }
            header = g
        default:
            throw CanvasDecoding.mismatch("\(kpath).header", "an array or a group signature", headerValue)
        }
        let body = try Canvas(json: bodyValue, path: "\(kpath).body")
        return Chord(header: header, body: body, args: s.args, kwargs: partialKwargs,
                     options: s.options, immutable: s.immutable)
    }
}

extension Group {
    /// The group as a `celery.group` signature dict.
    public var signature: Signature {
        var kwargs: OrderedDictionary<String, JSON> = ["tasks": .array(tasks.map(\.json))]
        for (k, v) in self.kwargs { kwargs[k] = v }
        return Signature("celery.group", args: args, kwargs: kwargs, options: options,
                         subtaskType: .group, immutable: immutable)
    }
}
