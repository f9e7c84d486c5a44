import Testing
@testable import Chorus

/// One malformed variant of `Tests/Fixtures/plugins/loader_cases.c` per case:
/// each must be refused with a message that names the plugin file, the task
/// where there is one, what is wrong and what to do.
@Suite struct DescriptorValidationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var define: String
        var code: ChorusError.Code
        var mentions: [String]
        var testDescription: String { define }
    }

    static let refused: [Case] = [
        // Entry point and versions.
        Case(define: "CASE_NO_ENTRY", code: .abiMismatch, mentions: ["does not export chorus_plugin_entry_v1", "1.0", "CHORUS_EXPORT"]),
        Case(define: "CASE_ENTRY_V2", code: .abiMismatch, mentions: ["ABI 2.", "chorus_plugin_entry_v2", "ABI 1.0", "rebuild"]),
        Case(define: "CASE_ABI_MAJOR_2", code: .abiMismatch, mentions: ["ABI 2.0", "ABI 1.0", "rebuild"]),
        Case(define: "CASE_ABI_MINOR_7", code: .abiMismatch, mentions: ["1.7", "1.0", "upgrade Chorus"]),
        Case(define: "CASE_ENTRY_NULL_REASON", code: .pluginLoad, mentions: ["refused to load", "cannot open /etc/lc.conf: missing configuration"]),
        Case(define: "CASE_ENTRY_NULL_LONG_REASON", code: .pluginLoad, mentions: ["refused to load: too long: ✓✓✓"]),
        Case(define: "CASE_ENTRY_NULL_EMPTY", code: .pluginLoad, mentions: ["refused to load", "returned NULL without a reason"]),
        // The plugin descriptor.
        Case(define: "CASE_SMALL_PLUGIN", code: .invalidDescriptor, mentions: ["descriptor size 32", "40 bytes", "sizeof(chorus_plugin)"]),
        Case(define: "CASE_NULL_PLUGIN_NAME", code: .invalidDescriptor, mentions: ["plugin name is NULL"]),
        Case(define: "CASE_EMPTY_PLUGIN_NAME", code: .invalidDescriptor, mentions: ["plugin name is empty"]),
        Case(define: "CASE_BAD_PLUGIN_NAME", code: .invalidDescriptor, mentions: ["plugin name \"my plugin\"", "' ' at position 3", "allowed are"]),
        Case(define: "CASE_NULL_VERSION", code: .invalidDescriptor, mentions: ["plugin version is NULL"]),
        Case(define: "CASE_PLUGIN_RESERVED", code: .invalidDescriptor, mentions: ["loader_cases", "reserved field must be 0"]),
        Case(define: "CASE_NULL_TASKS", code: .invalidDescriptor, mentions: ["task_count is 1 but tasks is NULL"]),
        Case(define: "CASE_NULL_TASK_POINTER", code: .invalidDescriptor, mentions: ["task descriptor #1 is NULL"]),
        // Task descriptors.
        Case(define: "CASE_SMALL_TASK", code: .invalidDescriptor, mentions: ["task descriptor #0", "size 40", "64 bytes", "sizeof(chorus_task)"]),
        Case(define: "CASE_NULL_TASK_NAME", code: .invalidDescriptor, mentions: ["task descriptor #0: name is NULL"]),
        Case(define: "CASE_EMPTY_TASK_NAME", code: .invalidDescriptor, mentions: ["task descriptor #0", "is empty"]),
        Case(define: "CASE_TASK_NAME_SPACE", code: .invalidDescriptor, mentions: ["\"lc inc\"", "' ' at position 3", "allowed are letters, digits and _ . : -"]),
        Case(define: "CASE_TASK_NAME_SLASH", code: .invalidDescriptor, mentions: ["\"lc/inc\"", "'/' at position 3"]),
        Case(define: "CASE_TASK_NAME_NON_ASCII", code: .invalidDescriptor, mentions: ["lc.tâche", "byte 0xc3 at position 5"]),
        Case(define: "CASE_UNKNOWN_FLAGS", code: .invalidDescriptor, mentions: ["task 'lc.inc'", "unknown flag bits 0x200", "rebuild"]),
        Case(define: "CASE_NULL_SIGNATURE", code: .invalidDescriptor, mentions: ["task 'lc.inc'", "signature is NULL", "int64 (int64 x)"]),
        Case(define: "CASE_SIG_VOID_PARAM", code: .invalidSignature, mentions: ["task 'lc.inc'", "column 8", "'void' is not a valid parameter type"]),
        Case(define: "CASE_SIG_UNKNOWN_TYPE", code: .invalidSignature, mentions: ["task 'lc.inc'", "column 8", "unknown type 'float'", "known types"]),
        Case(define: "CASE_SIG_MISSING_PAREN", code: .invalidSignature, mentions: ["task 'lc.inc'", "column 15", "')'"]),
        Case(define: "CASE_SIG_DUPLICATE_PARAM", code: .invalidSignature, mentions: ["task 'lc.inc'", "column 23", "duplicate parameter name 'x'"]),
        Case(define: "CASE_SIG_TRAILING", code: .invalidSignature, mentions: ["task 'lc.inc'", "column 17", "unexpected text after ')'"]),
        Case(define: "CASE_NULL_FUNCTION", code: .invalidDescriptor, mentions: ["task 'lc.inc'", "function is NULL"]),
        Case(define: "CASE_MAX_RETRIES_MINUS_2", code: .invalidDescriptor, mentions: ["task 'lc.inc'", "max_retries -2", "CHORUS_RETRIES_UNLIMITED (-1)"]),
        Case(define: "CASE_TASK_RESERVED", code: .invalidDescriptor, mentions: ["task 'lc.inc'", "reserved field must be 0"]),
        Case(define: "CASE_BACKOFF_NEGATIVE", code: .invalidDescriptor, mentions: ["task 'lc.inc'", "retry_backoff -1.5", ">= 0"]),
        Case(define: "CASE_BACKOFF_NAN", code: .invalidDescriptor, mentions: ["task 'lc.inc'", "retry_backoff nan", "finite"]),
        Case(define: "CASE_BACKOFF_INF", code: .invalidDescriptor, mentions: ["task 'lc.inc'", "retry_backoff inf", "finite"]),
        Case(define: "CASE_EMPTY_VERSION", code: .invalidDescriptor, mentions: ["plugin version is empty"]),
        Case(define: "CASE_VERSION_BAD_UTF8", code: .invalidDescriptor, mentions: ["plugin version is not valid UTF-8"]),
        Case(define: "CASE_TASK_NAME_BAD_UTF8", code: .invalidDescriptor, mentions: ["task descriptor #0: name is not valid UTF-8"]),
        Case(define: "CASE_TASK_NAME_DIGIT_FIRST", code: .invalidDescriptor, mentions: ["\"1task\"", "must start with a letter or '_'"]),
        Case(define: "CASE_NAME_201", code: .invalidDescriptor, mentions: ["task descriptor #0", "longer than 200 bytes"]),
        Case(define: "CASE_BAD_DOC", code: .invalidDescriptor, mentions: ["task 'lc.inc'", "doc is not valid UTF-8"]),
        Case(define: "CASE_DUPLICATE_TASK", code: .duplicateTask, mentions: ["'lc.inc' twice", "unique"]),
    ]

    @Test(arguments: refused)
    func refusesMalformedPlugin(_ c: Case) throws {
        let path = try PluginBuilder.fixture("loader_cases", defines: [c.define])
        let registry = TaskRegistry()
        expectLoadFailure(path, into: registry, code: c.code, mentions: [canonical(path)] + c.mentions)
        #expect(registry.tasks.isEmpty)
        #expect(registry.plugins.isEmpty)
    }

    @Test func acceptsTheWellFormedPlugin() throws {
        let path = try LoaderFixtures.wellFormed.get()
        let registry = TaskRegistry()
        let info = try registry.loadPlugin(at: path)
        #expect(info.name == "loader_cases")
        #expect(info.version == "1.0.0")
        #expect(info.path == canonical(path))
        #expect(info.abiVersion == ABIVersion(major: 1, minor: 0))
        #expect(info.sha256.count == 64)
        #expect(registry.tasks.map(\.name) == ["lc.inc", "lc.twice"])
        let inc = try registry.task(named: "lc.inc")
        #expect(inc.doc == "Adds one.")
        #expect(inc.signature.description == "int64 (int64 x)")
        #expect(inc.options.retryBackoffMax == 600, "0 means Celery's 600")
        #expect(inc.options.defaultRetryDelay == 180, "0 means Celery's 180")
        #expect(inc.options.maxRetries == 0)
        #expect(try registry.task(named: "lc.twice").doc == nil)
        #expect(try callTask(registry, "lc.inc", [41]) == .success(42))
        #expect(try callTask(registry, "lc.twice", [21]) == .success(42))
    }

    @Test(arguments: [("CASE_TASK_NAME_DOTTED", "images.resize"), ("CASE_TASK_NAME_PUNCTUATED", "a:b-c_d")])
    func acceptsDottedAndPunctuatedNames(define: String, name: String) throws {
        let registry = TaskRegistry()
        let path = define == "CASE_TASK_NAME_DOTTED" ? try LoaderFixtures.dotted.get() : try PluginBuilder.fixture("loader_cases", defines: [define])
        try registry.loadPlugin(at: path)
        #expect(try callTask(registry, name, [1]) == .success(2))
    }

    @Test func acceptsANameOfExactly200Bytes() throws {
        let registry = TaskRegistry()
        try registry.loadPlugin(at: try PluginBuilder.fixture("loader_cases", defines: ["CASE_NAME_200"]))
        let name = try #require(registry.tasks.first?.name)
        #expect(name.utf8.count == 200)
        #expect(try callTask(registry, name, [1]) == .success(2))
    }

    @Test func readsEveryFlagAndRetryOption() throws {
        let registry = TaskRegistry()
        try registry.loadPlugin(at: try PluginBuilder.fixture("loader_cases", defines: ["CASE_ALL_OPTIONS"]))
        let options = try registry.task(named: "lc.inc").options
        #expect(options == TaskOptions(
            bind: true, acksLate: true, maxRetries: nil, autoretry: true, retryBackoff: 0.5, retryBackoffMax: 60,
            retryJitter: true, defaultRetryDelay: 3))
        // Without flags: nothing set, and jitter off (chorus.h: it is a flag).
        let plain = try registry.task(named: "lc.twice").options
        #expect(plain == TaskOptions(
            bind: false, acksLate: false, maxRetries: 0, autoretry: false, retryBackoff: 0, retryBackoffMax: 600,
            retryJitter: false, defaultRetryDelay: 180))
    }

    @Test func acceptsAnOlderTaskDescriptorWithoutDoc() throws {
        let registry = TaskRegistry()
        try registry.loadPlugin(at: try PluginBuilder.fixture("loader_cases", defines: ["CASE_OLD_TASK"]))
        let task = try registry.task(named: "lc.old")
        #expect(task.doc == nil)
        #expect(task.signature.description == "int64 (int64 x)")
        #expect(task.options.acksLate)
        #expect(!task.options.bind)
        #expect(task.options.maxRetries == 5)
        #expect(task.options.retryBackoff == 2)
        #expect(task.options.retryBackoffMax == 30)
        #expect(task.options.defaultRetryDelay == 7)
        #expect(try callTask(registry, "lc.old", [9]) == .success(10))
    }

    @Test func aFailedLoadRegistersNothing() throws {
        // The first task is valid, the second's signature is not: neither registers.
        let path = try PluginBuilder.fixture("loader_cases", defines: ["CASE_SECOND_TASK_BAD"])
        let registry = TaskRegistry()
        expectLoadFailure(path, into: registry, code: .invalidSignature, mentions: [canonical(path), "task 'lc.twice'", "column 17", "expected a type"])
        #expect(registry.tasks.isEmpty)
        #expect(registry.plugins.isEmpty)
        #expect(throws: ChorusError(.unknownTask, "")) { try registry.task(named: "lc.inc") }
    }
}
