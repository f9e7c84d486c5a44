import OrderedCollections

/// Celery's exact dict format: `task, args, kwargs, options, subtask_type, immutable`.
extension Signature {
    /// The signature as a JSON object, keys in Celery's order.
    public var json: JSON {
        var o = OrderedDictionary<String, JSON>()
        o["task"] = .string(task)
        o["args"] = .array(args)
        o["kwargs"] = .object(kwargs)
        o["options"] = .object(options.values)
        o["subtask_type"] = subtaskType.map { .string($0.rawValue) } ?? .null
        o["immutable"] = .bool(immutable)
        for (k, v) in extra where o[k] == nil { o[k] = v }
        return .object(o)
    }

    /// Decodes and validates a signature dict. `path` names the value in error
    /// messages (`canvas.kwargs.tasks[2].args: expected an array, got string`).
    ///
    /// Missing `args`, `kwargs`, `options`, `subtask_type` and `immutable` take
    /// Celery's defaults; `task` is required. Composite signatures (chain,
    /// group, chord) are checked all the way down.
    public init(json: JSON, path: String = "canvas") throws(ChorusError) {
        try self.init(json: json, path: path, checkingMembers: true)
    }

    /// `checkingMembers: false` skips the composite check, for ``Canvas`` decoding,
    /// which walks the members itself (so each level is decoded once).
    init(json: JSON, path: String, checkingMembers: Bool) throws(ChorusError) {
        guard case .object(let o) = json else { throw CanvasDecoding.mismatch(path, "a signature object", json) }
        guard let taskValue = o["task"] else { throw CanvasDecoding.error(path, "missing key \"task\"") }
        guard case .string(let task) = taskValue else { throw CanvasDecoding.mismatch("\(path).task", "a string", taskValue) }
        if task.isEmpty { throw CanvasDecoding.error("\(path).task", "a task name cannot be empty") }

        var args: [JSON] = []
        if let v = o["args"], !v.isNull {
            guard case .array(let a) = v else { throw CanvasDecoding.mismatch("\(path).args", "an array", v) }
            args = a
        }
        var kwargs = OrderedDictionary<String, JSON>()
        if let v = o["kwargs"], !v.isNull {
            guard case .object(let k) = v else { throw CanvasDecoding.mismatch("\(path).kwargs", "an object", v) }
            kwargs = k
        }
        var options = SignatureOptions()
        if let v = o["options"], !v.isNull { options = try SignatureOptions(validating: v, path: "\(path).options") }
        var subtaskType: SubtaskType?
        if let v = o["subtask_type"], !v.isNull {
            guard case .string(let s) = v else { throw CanvasDecoding.mismatch("\(path).subtask_type", "a string or null", v) }
            subtaskType = SubtaskType(rawValue: s)
        }
        var immutable = false
        if let v = o["immutable"], !v.isNull {
            guard case .bool(let b) = v else { throw CanvasDecoding.mismatch("\(path).immutable", "a boolean", v) }
            immutable = b
        }
        let extra = o.count > 6 || o.keys.contains(where: { !Signature.isStandardKey($0) })
            ? o.filter { !Signature.isStandardKey($0.key) } : [:]
        self.init(task, args: args, kwargs: kwargs, options: options, subtaskType: subtaskType,
                  immutable: immutable, extra: extra)
        if checkingMembers, let t = subtaskType, [.chain, .group, .chord].contains(t) {
            _ = try Canvas(signature: self, path: path)  // validates the members
        }
    }

    /// One of the six keys every signature dict has. A switch, not a `Set`:
    /// it runs for every key of every signature decoded.
    static func isStandardKey(_ key: String) -> Bool {
        switch key {
        case "task", "args", "kwargs", "options", "subtask_type", "immutable": true
        default: false
        }
    }

    /// Parses signature JSON text; JSON syntax errors keep their column.
    public init(parsing text: String) throws(ChorusError) {
        let value: JSON
        do { value = try JSON(parsing: text) } catch {
            throw ChorusError(.invalidInput, error.description)
        }
        try self.init(json: value)
    }
}
