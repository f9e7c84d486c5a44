/// A task's declared C signature: its return type and its named, typed
/// parameters (the context pointer of bound tasks is not listed).
public struct TaskSignature: Sendable, Hashable, CustomStringConvertible {
    /// One declared parameter; kwargs bind to `name`.
    public struct Parameter: Sendable, Hashable {
        public var name: String
        public var type: ValueType

        public init(name: String, type: ValueType) {
            self.name = name
            self.type = type
        }
    }

    public var returnType: ValueType
    public var parameters: [Parameter]

    public init(returnType: ValueType, parameters: [Parameter]) {
        self.returnType = returnType
        self.parameters = parameters
    }

    /// Parses signature text such as `"int64 (int64 report_id)"`.
    public init(parsing text: String) throws(ChorusError) {
        var parser = SignatureParser(text)
        self = try parser.parse()
    }

    /// Canonical text: `"int64 (int64 report_id, string name)"`.
    public var description: String {
        let params = parameters.map { "\($0.type.name) \($0.name)" }.joined(separator: ", ")
        return "\(returnType.name) (\(params))"
    }
}
