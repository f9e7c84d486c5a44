// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Chorus",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "chorus", targets: ["ChorusCLI"]),
        .library(name: "Chorus", targets: ["Chorus"]),
        // Bundled plugins: built next to the `chorus` binary as libchorus-*.so.
        .library(name: "chorus-examples", type: .dynamic, targets: ["ChorusExamplesPlugin"]),
        .library(name: "chorus-reports", type: .dynamic, targets: ["ChorusReportsPlugin"]),
        .executable(name: "chorus-bench", targets: ["ChorusBenchmarks"]),
        // The embedding library: the C API of include/chorus.h's embedding
        // section. Built as libChorusEmbedding.so (the product name `chorus` is
        // the CLI's, and the CLI loads every libchorus-*.so beside it as a
        // plugin); scripts/install installs it as lib/libchorus.so, its SONAME.
        .library(name: "ChorusEmbedding", type: .dynamic, targets: ["ChorusEmbedding"]),
        // Examples/swift-host: runs a chord through the Swift API.
        .executable(name: "chorus-swift-example", targets: ["ChorusSwiftExample"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // The ABI: include/chorus.h, the one copy plugins compile against.
        .systemLibrary(name: "CChorus", path: "include"),
        // The system's libffi, found through pkg-config.
        .systemLibrary(
            name: "CFFI",
            pkgConfig: "libffi",
            providers: [.apt(["libffi-dev", "pkg-config"]), .brew(["libffi"])]
        ),
        // The system's SQLite, for the durable embedded backend.
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]
        ),
        // The core runtime: ABI binding, loader, invocation, registry, canvas, execution, backends.
        .target(
            name: "Chorus",
            dependencies: [
                "CChorus",
                "CFFI",
                "CSQLite",
                .product(name: "Collections", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The `chorus` command line tool; the only target that imports ArgumentParser.
        .executableTarget(
            name: "ChorusCLI",
            dependencies: [
                "Chorus",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Collections", package: "swift-collections"),
            ]
        ),
        // Unit tests per layer, end-to-end tests with real C plugins, and CLI
        // tests that run the built `chorus` binary.
        // The bundled examples plugin, written in C against include/chorus.h.
        .target(
            name: "ChorusExamplesPlugin",
            dependencies: ["CChorus"],
            path: "Plugins/Examples",
            publicHeadersPath: ".",
            cSettings: [.headerSearchPath("../../include")]
        ),
        // The bundled reports plugin: the tutorial's group and chord report workflows.
        .target(
            name: "ChorusReportsPlugin",
            dependencies: ["CChorus"],
            path: "Plugins/Reports",
            publicHeadersPath: ".",
            cSettings: [.headerSearchPath("../../include")]
        ),
        // Benchmarks: `swift run -c release chorus-bench` (see BENCHMARKS.md).
        .target(name: "BenchNative", path: "Benchmarks/BenchNative"),
        .executableTarget(
            name: "ChorusBenchmarks",
            dependencies: ["Chorus", "CFFI", "BenchNative"],
            path: "Benchmarks/ChorusBenchmarks"
        ),
        // The C embedding API (libchorus.so), implemented with @_cdecl.
        .target(
            name: "ChorusEmbedding",
            dependencies: ["Chorus", "CChorus"],
            linkerSettings: [.unsafeFlags(["-Xlinker", "-soname=libchorus.so"])]
        ),
        .executableTarget(name: "ChorusSwiftExample", dependencies: ["Chorus"], path: "Examples/swift-host"),
        .testTarget(
            name: "ChorusTests",
            dependencies: ["Chorus", "CChorus"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
