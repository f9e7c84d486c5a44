import Foundation

/// Where plugins come from, in load order:
/// 1. the bundled plugins shipped next to the `chorus` binary (files named
///    `libchorus-*.so` in the executable's directory, and every library in
///    `../lib/chorus/plugins` for an installed layout);
/// 2. `CHORUS_PLUGIN_PATH`: colon-separated files or directories (every
///    shared library in a directory);
/// 3. explicit `--plugin PATH` options.
///
/// Only paths named by this configuration are ever loaded — never a path that
/// arrives in a message.
public struct PluginDiscovery: Sendable {
    public var explicitPaths: [String]
    public var searchPath: String?
    public var bundledDirectory: String?

    public init(explicitPaths: [String] = [], searchPath: String? = nil, bundledDirectory: String? = nil) {
        self.explicitPaths = explicitPaths
        self.searchPath = searchPath
        self.bundledDirectory = bundledDirectory
    }

    /// The configuration a command-line process gets: `CHORUS_PLUGIN_PATH`
    /// from the environment and the directory of the running executable.
    public static func forCurrentProcess(explicitPaths: [String], includeBundled: Bool = true) -> PluginDiscovery {
        PluginDiscovery(
            explicitPaths: explicitPaths,
            searchPath: ProcessInfo.processInfo.environment["CHORUS_PLUGIN_PATH"],
            bundledDirectory: includeBundled ? executableDirectory() : nil)
    }

    /// The platform's shared-library suffix.
    public static let librarySuffix: String = {
        #if os(macOS)
        return ".dylib"
        #else
        return ".so"
        #endif
    }()

    /// Every plugin file to load, in order, without duplicates by path.
    public func pluginPaths() throws(ChorusError) -> [String] {
        var paths: [String] = []
        if let dir = bundledDirectory {
            paths += Self.libraries(in: dir) { $0.hasPrefix("libchorus-") }
            let installed = (dir as NSString).appendingPathComponent("../lib/chorus/plugins")
            paths += Self.libraries(in: installed) { _ in true }
        }
        if let searchPath {
            for entry in searchPath.split(separator: ":", omittingEmptySubsequences: true).map(String.init) {
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: entry, isDirectory: &isDirectory), isDirectory.boolValue {
                    try PluginFile.checkDirectory(entry)
                    paths += Self.libraries(in: entry) { _ in true }
                } else {
                    paths.append(entry)
                }
            }
        }
        paths += explicitPaths
        var seen: Set<String> = []
        return paths.filter { seen.insert($0).inserted }
    }

    /// Loads every discovered plugin into `registry`; the first failure stops
    /// loading and is thrown (plugins loaded before it stay registered).
    @discardableResult
    public func load(into registry: TaskRegistry) throws(ChorusError) -> [PluginInfo] {
        var loaded: [PluginInfo] = []
        for path in try pluginPaths() {
            loaded.append(try registry.loadPlugin(at: path))
        }
        return loaded
    }

    static func libraries(in directory: String, where include: (String) -> Bool) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        return names.filter { $0.hasSuffix(librarySuffix) && include($0) }.sorted()
            .map { (directory as NSString).appendingPathComponent($0) }
    }

    static func executableDirectory() -> String? {
        #if os(Linux)
        if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return (target as NSString).deletingLastPathComponent
        }
        #endif
        guard let path = Bundle.main.executablePath else { return nil }
        return ((path as NSString).resolvingSymlinksInPath as NSString).deletingLastPathComponent
    }
}
