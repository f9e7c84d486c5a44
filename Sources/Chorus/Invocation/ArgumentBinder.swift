import Collections

/// Binds Celery-style arguments — a positional `args` array and a `kwargs`
/// object — to a task's declared parameters: by position first, then by name.
/// Errors are worded like Python's, e.g.
/// `report_group_short() missing 1 required argument: 'report_id'`.
enum ArgumentBinder {
    static func bind(
        task: String, signature: TaskSignature, args: [JSON], kwargs: OrderedDictionary<String, JSON>
    ) throws(ChorusError) -> [JSON] {
        let params = signature.parameters
        if args.count > params.count {
            let takes = params.count == 1 ? "1 positional argument" : "\(params.count) positional arguments"
            let given = args.count == 1 ? "1 was given" : "\(args.count) were given"
            throw ChorusError(.badArguments, "\(task)() takes \(takes) but \(given)")
        }
        // Every parameter given positionally (the usual call): the args as they are.
        if kwargs.isEmpty && args.count == params.count { return args }
        var bound: [JSON?] = args.map { $0 }
        bound.append(contentsOf: repeatElement(nil, count: params.count - args.count))
        for (name, value) in kwargs {
            guard let position = params.firstIndex(where: { $0.name == name }) else {
                throw ChorusError(.badArguments, "\(task)() got an unexpected keyword argument '\(name)'")
            }
            if bound[position] != nil {
                throw ChorusError(.badArguments, "\(task)() got multiple values for argument '\(name)'")
            }
            bound[position] = value
        }
        let missing = params.indices.filter { bound[$0] == nil }.map { "'\(params[$0].name)'" }
        if !missing.isEmpty {
            let noun = missing.count == 1 ? "argument" : "arguments"
            throw ChorusError(.badArguments, "\(task)() missing \(missing.count) required \(noun): \(englishList(missing))")
        }
        return bound.map { $0! }
    }

    /// `'a'`, `'a' and 'b'`, `'a', 'b', and 'c'` — Python's wording.
    static func englishList(_ items: [String]) -> String {
        switch items.count {
        case 0: ""
        case 1: items[0]
        case 2: "\(items[0]) and \(items[1])"
        default: items.dropLast().joined(separator: ", ") + ", and " + items.last!
        }
    }
}
