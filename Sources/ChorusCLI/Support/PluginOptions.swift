import ArgumentParser
import Chorus

/// Options every command that runs tasks shares: which plugins to load.
struct PluginOptions: ParsableArguments {
    @Option(name: .customLong("plugin"), help: ArgumentHelp("Load the plugin at PATH (repeatable).", valueName: "PATH"))
    var plugins: [String] = []

    @Flag(name: .customLong("no-bundled"), help: "Do not load the plugins bundled next to the chorus binary.")
    var noBundled = false

    /// A registry with every configured plugin loaded.
    func makeRegistry() throws(ChorusError) -> TaskRegistry {
        let registry = TaskRegistry()
        try PluginDiscovery.forCurrentProcess(explicitPaths: plugins, includeBundled: !noBundled).load(into: registry)
        return registry
    }
}
