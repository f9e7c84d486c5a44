/// Identity of a loaded plugin, as `chorus tasks` shows it.
public struct PluginInfo: Sendable, Hashable {
    public var name: String
    public var version: String
    /// Canonical absolute path of the shared library.
    public var path: String
    /// SHA-256 of the file's content, hex.
    public var sha256: String
    /// The ABI version the plugin was built against.
    public var abiVersion: ABIVersion

    public init(name: String, version: String, path: String, sha256: String, abiVersion: ABIVersion) {
        self.name = name
        self.version = version
        self.path = path
        self.sha256 = sha256
        self.abiVersion = abiVersion
    }
}
