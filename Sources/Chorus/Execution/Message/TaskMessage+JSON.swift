import Collections

extension TaskMessage {
    /// The body as Celery's JSON array `[args, kwargs, {"callbacks", "errbacks", "chain", "chord"}]`.
    public var bodyJSON: JSON {
        var embedObject = OrderedDictionary<String, JSON>()
        embedObject["callbacks"] = embed.callbacks.map(JSON.array) ?? .null
        embedObject["errbacks"] = embed.errbacks.map(JSON.array) ?? .null
        embedObject["chain"] = embed.chain.map(JSON.array) ?? .null
        embedObject["chord"] = embed.chord ?? .null
        return .array([.array(args), .object(kwargs), .object(embedObject)])
    }

    /// The serialized body: the text Celery base64-encodes into the envelope.
    public var bodyText: String { bodyJSON.serialized() }

    /// A message from Celery's header object and body array. Throws
    /// `.invalidInput` when either is malformed. A two-element body (no
    /// embed) is accepted as an empty embed.
    public init(headers: JSON, body: JSON) throws(ChorusError) {
        let parsedHeaders = try TaskHeaders(json: headers)
        guard let parts = body.arrayValue, parts.count == 2 || parts.count == 3 else {
            throw TaskHeaders.invalid("body must be [args, kwargs, embed]")
        }
        guard let args = parts[0].arrayValue else { throw TaskHeaders.invalid("body args must be an array") }
        guard let kwargs = parts[1].objectValue else { throw TaskHeaders.invalid("body kwargs must be an object") }
        var embed = TaskEmbed()
        if parts.count == 3 && !parts[2].isNull {
            guard let e = parts[2].objectValue else { throw TaskHeaders.invalid("body embed must be an object") }
            embed.callbacks = try Self.signatureList(e["callbacks"], "callbacks")
            embed.errbacks = try Self.signatureList(e["errbacks"], "errbacks")
            embed.chain = try Self.signatureList(e["chain"], "chain")
            if let chord = e["chord"], !chord.isNull {
                guard chord.objectValue != nil else { throw TaskHeaders.invalid("embed 'chord' must be a signature object") }
                embed.chord = chord
            }
        }
        self.init(headers: parsedHeaders, args: args, kwargs: kwargs, embed: embed)
    }

    /// A message from header JSON and body text, as found in a broker envelope
    /// (after base64 decoding the body).
    public init(headers: JSON, bodyText: String) throws(ChorusError) {
        let body: JSON
        do {
            body = try JSON(parsing: bodyText)
        } catch {
            throw TaskHeaders.invalid("body is not JSON: \(error)")
        }
        try self.init(headers: headers, body: body)
    }

    private static func signatureList(_ value: JSON?, _ key: String) throws(ChorusError) -> [JSON]? {
        guard let value, !value.isNull else { return nil }
        guard let list = value.arrayValue else { throw TaskHeaders.invalid("embed '\(key)' must be a list of signatures") }
        for item in list where item.objectValue == nil {
            throw TaskHeaders.invalid("embed '\(key)' entries must be signature objects, got \(item.kindName)")
        }
        return list
    }
}
