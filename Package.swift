// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "levelfunnel",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "levelfunnel", targets: ["levelfunnel"]),
        .library(name: "LevelFunnelCore", targets: ["LevelFunnelCore"]),
        .library(name: "PostgresClient", targets: ["PostgresClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
    ],
    targets: [
        // C libraries, taken from the system (Debian: libpq-dev, libncursesw5-dev).
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        // No pkgConfig: its -D_XOPEN_SOURCE flags are dropped by SwiftPM with a warning; the shim sets what it needs.
        .systemLibrary(name: "CNcursesw", providers: [.apt(["libncursesw5-dev"])]),

        // A small PostgreSQL client over libpq, unaware of the domain.
        .target(name: "PostgresClient", dependencies: ["CLibPQ"]),

        // Schema, raw and fast funnel queries, metric formulas, aggregation, backfill, generator.
        .target(name: "LevelFunnelCore", dependencies: ["PostgresClient"]),

        // The benches and the stress run (generating, loading, timing, comparing), for `levelfunnel bench` and
        // `stress`: beside the core's services, kept out of the core that the dashboard links.
        .target(name: "LevelFunnelBench", dependencies: ["LevelFunnelCore"]),

        // The dashboard's state, reducer, renderer and themes: pure Swift, testable without a terminal.
        .target(name: "Dashboard", dependencies: ["LevelFunnelCore"]),

        // The thin layer that draws Dashboard screens with ncurses and reads keys.
        .target(name: "DashboardCurses", dependencies: ["Dashboard", "CNcursesw"]),

        // The `levelfunnel` command.
        .executableTarget(name: "levelfunnel", dependencies: [
            "LevelFunnelCore", "LevelFunnelBench", "Dashboard", "DashboardCurses",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Test helpers: a private schema per test in the PostgreSQL that `make test` starts.
        .target(name: "TestSupport", dependencies: ["PostgresClient"], path: "Tests/TestSupport"),
        .testTarget(name: "PostgresClientTests", dependencies: ["PostgresClient", "TestSupport"]),
        .testTarget(name: "LevelFunnelCoreTests", dependencies: ["LevelFunnelCore", "TestSupport"]),
        .testTarget(name: "DashboardTests", dependencies: ["Dashboard", "LevelFunnelCore", "TestSupport", "levelfunnel"],
                    exclude: ["Snapshots"]),
        .testTarget(name: "LevelFunnelCLITests", dependencies: ["levelfunnel", "LevelFunnelCore", "TestSupport"]),
        // On the private Citus cluster of scripts/citus.sh (`make test-citus`).
        .testTarget(name: "CitusTests", dependencies: ["LevelFunnelCore", "TestSupport", "levelfunnel"]),
    ]
)
