import Foundation

/// A plugin file that passed the loader's safety checks, with the identity
/// used to recognise it when it is loaded again: its canonical path, its
/// (device, inode) pair and the SHA-256 of its content.
struct PluginFile: Sendable, Hashable {
    let path: String
    let device: UInt64
    let inode: UInt64
    let sha256: String

    /// Resolves `path` (relative paths are taken from the current directory,
    /// symlinks are followed) and refuses anything unsafe to load: a missing
    /// file, a non-regular file, a file or parent directory writable by group
    /// or others, an owner other than the current user or root, setuid/setgid.
    init(checking path: String) throws(ChorusError) {
        guard !path.isEmpty else { throw ChorusError(.pluginLoad, "plugin path is empty; pass the path of a shared library") }
        guard let resolved = realpath(path, nil) else {
            let reason = String(cString: strerror(errno))
            throw ChorusError(.pluginLoad, "plugin \(path): \(reason); check the --plugin path or CHORUS_PLUGIN_PATH")
        }
        let canonical = String(cString: resolved)
        free(resolved)
        var info = stat()
        guard stat(canonical, &info) == 0 else {
            throw ChorusError(.pluginLoad, "plugin \(canonical): \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw ChorusError(.unsafePlugin, "refusing plugin \(canonical): not a regular file; point at the shared library itself")
        }
        try Self.checkOwnerAndMode(info, of: canonical, what: "the file", fix: canonical)
        if info.st_mode & (S_ISUID | S_ISGID) != 0 {
            throw ChorusError(.unsafePlugin, "refusing plugin \(canonical): the file is setuid or setgid; run `chmod ug-s \(canonical)`")
        }
        let directory = (canonical as NSString).deletingLastPathComponent
        var dirInfo = stat()
        guard stat(directory, &dirInfo) == 0 else {
            throw ChorusError(.pluginLoad, "plugin \(canonical): cannot inspect its directory: \(String(cString: strerror(errno)))")
        }
        try Self.checkOwnerAndMode(dirInfo, of: canonical, what: "its directory \(directory)", fix: directory)
        guard let data = FileManager.default.contents(atPath: canonical) else {
            throw ChorusError(.pluginLoad, "plugin \(canonical): cannot read the file")
        }
        self.path = canonical
        self.device = UInt64(info.st_dev)
        self.inode = UInt64(info.st_ino)
        self.sha256 = SHA256.hex(Array(data))
    }

    /// Checks that a directory given in CHORUS_PLUGIN_PATH is safe to load from.
    static func checkDirectory(_ path: String) throws(ChorusError) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw ChorusError(.pluginLoad, "plugin directory \(path): \(String(cString: strerror(errno)))")
        }
        try checkOwnerAndMode(info, of: path, what: "the directory", fix: path)
    }

    private static func checkOwnerAndMode(_ info: stat, of plugin: String, what: String, fix: String) throws(ChorusError) {
        let me = geteuid()
        if info.st_uid != me && info.st_uid != 0 {
            throw ChorusError(.unsafePlugin, "refusing plugin \(plugin): \(what) is owned by uid \(info.st_uid), not by you (uid \(me)) or root; run `chown \(me) \(fix)`")
        }
        if info.st_mode & (S_IWGRP | S_IWOTH) != 0 {
            let mode = String(info.st_mode & 0o7777, radix: 8)
            throw ChorusError(.unsafePlugin, "refusing plugin \(plugin): \(what) is writable by group or others (mode 0\(mode)); run `chmod go-w \(fix)`")
        }
    }
}
