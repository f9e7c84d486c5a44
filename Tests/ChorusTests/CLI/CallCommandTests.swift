import Foundation
import Testing

/// `chorus call` and `chorus tasks` on the built binary: stdout, stderr, exit code.
@Suite struct CallCommandTests {
    @Test func callsABundledTaskWithTypedArguments() throws {
        let r = try ChorusBinary.run(["call", "add", "2", "3"])
        #expect(r.status == 0)
        #expect(r.stdout == "5\n")
        #expect(r.stderr.isEmpty)
    }

    @Test func negativeNumbersAndKeywords() throws {
        #expect(try ChorusBinary.run(["call", "add", "-5", "3"]).stdout == "-2\n")
        #expect(try ChorusBinary.run(["call", "add", "x=-5", "y=3"]).stdout == "-2\n")
        #expect(try ChorusBinary.run(["call", "add", "1", "y=2"]).stdout == "3\n")
        #expect(try ChorusBinary.run(["call", "add", "--args", "[40]", "--kwargs", #"{"y": 2}"#]).stdout == "42\n")
    }

    @Test func jsonValuesAndStrings() throws {
        #expect(try ChorusBinary.run(["call", "echo", #"{"a":[1,2.5,"x"]}"#]).stdout == #"{"a":[1,2.5,"x"]}"# + "\n")
        // A word that is not JSON is a string.
        #expect(try ChorusBinary.run(["call", "echo", "hello"]).stdout == "\"hello\"\n")
        #expect(try ChorusBinary.run(["call", "tsum", "[1,2,3]"]).stdout == "6\n")
        #expect(try ChorusBinary.run(["call", "noop"]).stdout == "null\n")
    }

    @Test(arguments: [
        (["call", "ad", "1", "2"], Int32(65), "unknown task 'ad'; did you mean 'add'"),
        (["call", "add", "1"], 65, "add() missing 1 required argument: 'y'"),
        (["call", "add", "1", "2", "3"], 65, "add() takes 2 positional arguments but 3 were given"),
        (["call", "add", "1", "x=2"], 65, "add() got multiple values for argument 'x'"),
        (["call", "add", "1", "z=2"], 65, "add() got an unexpected keyword argument 'z'"),
        (["call", "add", "1.5", "2"], 65, "add: argument x: expected int64, got number 1.5"),
        (["call", "add", "abc", "2"], 65, "add: argument x: expected int64, got string \"abc\""),
        (["call", "add", "--args", "[1,"], 65, "--args: invalid JSON at column 4"),
        (["call", "add", "--kwargs", "[1]"], 65, "--kwargs must be a JSON object"),
        (["call", "fail", "boom"], 1, "fail failed: boom"),
        (["call", "add", "9223372036854775807", "1"], 1, "add failed: integer overflow"),
        (["call", "add", "1", "2", "--plugin", "/nonexistent/libx.so"], 78, "plugin /nonexistent/libx.so: No such file or directory"),
    ] as [([String], Int32, String)])
    func errorsAreOneLineWithAnExitCode(arguments: [String], status: Int32, message: String) throws {
        let r = try ChorusBinary.run(arguments)
        #expect(r.status == status)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.hasPrefix("chorus: error: "))
        #expect(r.stderr.contains(message), "stderr was: \(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
    }

    @Test func aBadTimeScaleIsAnErrorNotACrash() throws {
        let dir = PluginBuilder.makePrivateDirectory(prefix: "chorus-scale")
        for arguments in [["worker", "--time-scale", "0"], ["demo", "--time-scale", "0"], ["apply", "add(1, 2)", "--time-scale", "0"]] {
            let r = try ChorusBinary.run(arguments + ["--db", "\(dir)/x.db"])
            #expect(r.status == 65, "\(arguments): \(r.stderr)")
            #expect(r.stderr == "chorus: error: time scale must be a positive number such as 0.01 or 1, got 0.0\n")
        }
    }

    @Test func taskFromAPluginOption() throws {
        let plugin = try PluginBuilder.fixture("types")
        let r = try ChorusBinary.run(["call", "echo_uint64", "18446744073709551615", "--plugin", plugin, "--no-bundled"])
        #expect(r.status == 0)
        #expect(r.stdout == "18446744073709551615\n")
    }

    @Test func pluginPathEnvironmentVariableTakesFilesAndDirectories() throws {
        let plugin = try PluginBuilder.fixture("types")
        let byFile = try ChorusBinary.run(["call", "add", "1", "2", "--no-bundled"], environment: ["CHORUS_PLUGIN_PATH": plugin])
        #expect(byFile.stdout == "3\n")
        let dir = PluginBuilder.makePrivateDirectory(prefix: "chorus-path")
        try FileManager.default.copyItem(atPath: plugin, toPath: "\(dir)/libtypes.so")
        let byDir = try ChorusBinary.run(["call", "echo_string", "hi", "--no-bundled"], environment: ["CHORUS_PLUGIN_PATH": dir])
        #expect(byDir.status == 0, "\(byDir.stderr)")
        #expect(byDir.stdout == "\"hi\"\n")
    }

    @Test func unsafePluginIsRefusedWithAFix() throws {
        let dir = PluginBuilder.makePrivateDirectory(prefix: "chorus-unsafe")
        let plugin = try PluginBuilder.fixture("types")
        let copy = "\(dir)/libcopy.so"
        try FileManager.default.copyItem(atPath: plugin, toPath: copy)
        chmod(copy, 0o666)
        let r = try ChorusBinary.run(["tasks", "--plugin", copy])
        #expect(r.status == 78)
        #expect(r.stderr.contains("writable by group or others"))
        #expect(r.stderr.contains("chmod go-w \(copy)"))
    }

    @Test func aSwiftLibraryThatIsNotAPluginIsRefusedWithoutCrashing() throws {
        // libChorusEmbedding is a Swift library: unloading it after a failed
        // lookup would crash the process, so the loader keeps it mapped.
        let library = ChorusBinary.directory + "/libChorusEmbedding.so"
        let r = try ChorusBinary.run(["tasks", "--plugin", library])
        #expect(r.status == 78)
        #expect(r.stderr.contains("does not export chorus_plugin_entry_v1"))
    }

    @Test func tasksListsPluginsSignaturesAndOptions() throws {
        let r = try ChorusBinary.run(["tasks"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("examples 1.0.0"))
        #expect(r.stdout.contains("flaky     int64 (int64 failures)  [bind autoretry max_retries=5 backoff=1s..60s+jitter]"))
        let json = try ChorusBinary.run(["tasks", "--json"])
        #expect(json.status == 0)
        #expect(json.stdout.hasPrefix(#"{"format":1,"chorus":"#))
        #expect(json.stdout.contains(#""name":"tsum","signature":"int64 (json numbers)""#))
    }

    @Test func versionAndHelp() throws {
        let v = try ChorusBinary.run(["--version"])
        #expect(v.status == 0)
        #expect(v.stdout.hasPrefix("chorus 0.1.0 (plugin ABI 1.0)"))
        for command in ["call", "tasks", "apply", "send", "worker", "result", "history", "inspect", "report", "demo"] {
            let h = try ChorusBinary.run([command, "--help"])
            #expect(h.status == 0)
            #expect(h.stdout.contains("Examples:"))
        }
    }
}
