import Testing
@testable import Chorus

/// Looking tasks up by name, and registering Swift closures next to plugin tasks.
@Suite struct TaskRegistryTests {
    static func noop(_ arguments: [JSON], _ context: SwiftTaskContext) throws -> JSON { nil }

    static func expectError(
        code: ChorusError.Code, mentions: [String], sourceLocation: SourceLocation = #_sourceLocation,
        _ body: () throws -> Void
    ) {
        do {
            try body()
            Issue.record("expected \(code)", sourceLocation: sourceLocation)
        } catch let error as ChorusError {
            #expect(error.code == code, "\(error.message)", sourceLocation: sourceLocation)
            for text in mentions {
                #expect(error.message.contains(text), "message lacks \"\(text)\": \(error.message)", sourceLocation: sourceLocation)
            }
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func anUnknownNameSuggestsCloseMatches() throws {
        let registry = TaskRegistry()
        for name in ["report_group_short", "report_group_long", "images.resize"] {
            try registry.register(name: name, signature: "void ()", function: Self.noop)
        }
        Self.expectError(code: .unknownTask, mentions: ["unknown task 'report_group_shrt'", "did you mean 'report_group_short'"]) {
            _ = try registry.task(named: "report_group_shrt")
        }
        Self.expectError(code: .unknownTask, mentions: ["'images.resize'"]) { _ = try registry.task(named: "images_resize") }
        // Nothing close: says how to list what there is.
        Self.expectError(code: .unknownTask, mentions: ["unknown task 'zzzzzzzz'", "chorus tasks", "3 registered tasks"]) {
            _ = try registry.task(named: "zzzzzzzz")
        }
    }

    @Test func anUnknownNameInAnEmptyRegistrySaysHowToLoadPlugins() {
        Self.expectError(code: .unknownTask, mentions: ["unknown task 'report_group_short'", "no tasks are registered", "--plugin", "CHORUS_PLUGIN_PATH"]) {
            _ = try TaskRegistry().task(named: "report_group_short")
        }
    }

    @Test func aSwiftClosureIsCalledWithCheckedArguments() throws {
        let registry = TaskRegistry()
        try registry.register(name: "swift.add", signature: "int64 (int64 a, int64 b)", options: TaskOptions(maxRetries: 1), doc: "Adds.") { args, context in
            guard case .int(let a) = args[0], case .int(let b) = args[1] else { throw TaskFailure("bad", retryable: false) }
            if a < 0 { throw TaskFailure("negative \(context.taskName) \(context.request.taskID)") }
            return .int(a + b)
        }
        let task = try registry.task(named: "swift.add")
        #expect(task.plugin == nil)
        #expect(task.doc == "Adds.")
        #expect(task.options.maxRetries == 1)
        #expect(task.signature.description == "int64 (int64 a, int64 b)")
        let request = InvocationRequest(taskID: "sw-1")
        #expect(try Invoker.invoke(task, args: [40], kwargs: ["b": 2], request: request, services: StandaloneTaskServices()) == .success(42))
        #expect(try Invoker.invoke(task, args: [-1, 2], request: request, services: StandaloneTaskServices()) == .failure(message: "negative swift.add sw-1", retryable: true))
        InvocationFixture.expectBadArguments("swift.add", [1, 2.5], in: registry, mentions: ["swift.add: argument b: expected int64, got number 2.5"])
        InvocationFixture.expectBadArguments("swift.add", [1], in: registry, mentions: ["swift.add() missing 1 required argument: 'b'"])
    }

    /// A closure's result is held to its declared return type, like a native
    /// task's: the wrong kind fails (not retried) with a line naming both.
    @Test func aSwiftClosuresResultMustMatchItsDeclaredReturnType() throws {
        let registry = TaskRegistry()
        let cases: [(returns: String, value: JSON, expected: JSON?)] = [
            ("void", .null, .null), ("void", 1, nil),
            ("bool", true, true), ("bool", 1, nil),
            ("int32", 7, 7), ("int32", .int(Int64(Int32.max) + 1), nil), ("int32", "7", nil),
            ("int64", .int(-3), .int(-3)), ("int64", .uint(UInt64.max), nil), ("int64", 2.5, nil),
            ("uint64", .uint(UInt64.max), .uint(UInt64.max)), ("uint64", 5, 5), ("uint64", -1, nil),
            ("double", 2.5, 2.5), ("double", 2, 2.0), ("double", .double(.infinity), nil), ("double", "2", nil),
            ("string", "hi", "hi"), ("string", .null, .null), ("string", 3, nil),
            ("json", ["any": [1, "x"]], ["any": [1, "x"]]),
            ("bytes", ["base64": "aGk="], ["base64": "aGk="]), ("bytes", ["base64": "%%"], nil), ("bytes", "aGk=", nil),
        ]
        for (i, c) in cases.enumerated() {
            let name = "swift.r\(i)"
            try registry.register(name: name, signature: "\(c.returns) ()") { _, _ in c.value }
            let outcome = try Invoker.invoke(
                registry.task(named: name), args: [], request: InvocationRequest(taskID: "r-\(i)"), services: StandaloneTaskServices())
            if let expected = c.expected {
                #expect(outcome == .success(expected), "\(c.returns) returning \(c.value)")
            } else if case .failure(let message, let retryable) = outcome {
                #expect(!retryable, "\(name)")
                #expect(message.contains("\(name) is declared to return \(c.returns) but returned"), "\(message)")
            } else {
                Issue.record("\(c.returns) returning \(c.value) was accepted: \(outcome)")
            }
        }
    }

    @Test func aSwiftRegistrationIsValidated() {
        let registry = TaskRegistry()
        Self.expectError(code: .invalidDescriptor, mentions: ["\"bad name\"", "' ' at position 4"]) {
            try registry.register(name: "bad name", signature: "void ()", function: Self.noop)
        }
        Self.expectError(code: .invalidDescriptor, mentions: ["longer than 200 bytes"]) {
            try registry.register(name: String(repeating: "a", count: 201), signature: "void ()", function: Self.noop)
        }
        Self.expectError(code: .invalidSignature, mentions: ["task 'swift.bad'", "column 7", "'void' is not a valid parameter type"]) {
            try registry.register(name: "swift.bad", signature: "void (void x)", function: Self.noop)
        }
        #expect(registry.tasks.isEmpty)
        #expect(throws: Never.self) {
            try registry.register(name: String(repeating: "a", count: 200), signature: "void ()", function: Self.noop)
        }
    }

    @Test func swiftAndPluginTasksWithTheSameNameClash() throws {
        let pluginPath = canonical(try LoaderFixtures.clashA.get())

        // Plugin first: the Swift registration is refused.
        let first = TaskRegistry()
        try first.loadPlugin(at: pluginPath)
        Self.expectError(code: .duplicateTask, mentions: ["task 'shared.task'", "plugin 'clash_a'", pluginPath, "another name"]) {
            try first.register(name: "shared.task", signature: "int64 ()", function: Self.noop)
        }
        #expect(try callTask(first, "shared.task") == .success(1))

        // Swift first: the plugin load is refused and registers nothing.
        let second = TaskRegistry()
        try second.register(name: "clash_a.only", signature: "int64 ()") { _, _ in 99 }
        expectLoadFailure(pluginPath, into: second, code: .duplicateTask, mentions: ["'clash_a'", pluginPath, "'clash_a.only'", "a Swift registration", "rename"])
        #expect(second.tasks.map(\.name) == ["clash_a.only"])
        #expect(second.plugins.isEmpty)
        #expect(try callTask(second, "clash_a.only") == .success(99))

        // Two Swift registrations.
        Self.expectError(code: .duplicateTask, mentions: ["task 'clash_a.only'", "a Swift registration", "another name"]) {
            try second.register(name: "clash_a.only", signature: "int64 ()", function: Self.noop)
        }
    }

    /// Names are table keys hashed with FNV-1a (`TaskNameKey`), not SipHash:
    /// many names that differ in one byte, or only in length, must all
    /// stay apart and be found.
    @Test func manyCloseNamesAreEachFoundAndUnknownOnesRefused() throws {
        let registry = TaskRegistry()
        var names: [String] = []
        for i in 0..<500 { names.append("proj.task_\(i)") }
        for n in 1...40 { names.append(String(repeating: "a", count: n)) }
        for name in names { try registry.register(name: name, signature: "void ()", function: Self.noop) }
        for name in names { #expect(try registry.task(named: name).name == name) }
        #expect(registry.tasks.map(\.name) == names)
        #expect(throws: ChorusError.self) { try registry.task(named: "proj.task_500") }
        #expect(throws: ChorusError.self) { try registry.task(named: String(repeating: "a", count: 41)) }
        #expect(Set(names.map { TaskNameKey($0)._rawHashValue(seed: 3) }).count == names.count)
    }
}
