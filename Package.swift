// swift-tools-version:6.1
import PackageDescription

// One library per pipeline stage (see ../shared/design.md):
// RaceModel (contract 1) → KinesisStream (contract 2) → Firehose (contract 3)
// → Leaderboard + RaceStore (contracts 4 and 5), wired together by Pipeline.
let package = Package(
    name: "alleycat",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "alleycat", targets: ["alleycat"]),
        .executable(name: "alleycat-sim", targets: ["alleycat-sim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.20.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.6.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.1.0"),
        // swift-metrics' backend is bootstrapped with Prometheus, for Hummingbird's MetricsMiddleware.
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.29.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]),
        .target(name: "CMalloc"),
        .target(name: "RaceModel", dependencies: ["CMalloc"]),
        .target(name: "Storage", dependencies: ["CZlib"]),
        .target(
            name: "KinesisStream",
            dependencies: ["RaceModel", "StreamReading", "CZlib", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "KinesisWire", dependencies: ["RaceModel"]),
        // The Kinesis API's CBOR protocol (application/x-amz-cbor-1.1), transcoded to and from the JSON the API reads and writes.
        .target(name: "KinesisCBOR", dependencies: ["KinesisWire"]),
        // The one reading seam (design, "Where the design is going" 2): every consumer reads through it.
        .target(name: "StreamReading"),
        // AWS Signature Version 4: the client signs with it, the service checks signatures with it.
        .target(name: "SigV4", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        // What every AWS client here shares: configuration from the standard variables, SigV4-signed
        // HTTP, JSON error answers; and the S3 and DynamoDB clients built on it.
        .target(
            name: "AWSClient",
            dependencies: [
                "KinesisWire", "SigV4",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]),
        // Buckets on S3: history files written by many workers with conditional writes.
        .target(name: "S3Storage", dependencies: ["AWSClient", "HistoryFile", "Storage", "Leaderboard"]),
        // KCL-style leases in DynamoDB: workers share a stream's shards (design, "Where the design is going" 4).
        .target(name: "Leases", dependencies: ["AWSClient", "StreamReading"]),
        // A StreamSource over the Kinesis JSON API (Amazon Kinesis, moto, another alleycat node), SigV4-signed.
        .target(name: "KinesisClient", dependencies: ["StreamReading", "KinesisWire", "SigV4", "AWSClient"]),
        // MQTT 3.1.1: the packet codec on its own (fuzzed), and a client on SwiftNIO (no MQTT package is on the list).
        .target(name: "MQTTWire"),
        .target(
            name: "MQTT",
            dependencies: [
                "MQTTWire", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]),
        .target(name: "KinesisAPI", dependencies: ["KinesisWire", "KinesisCBOR", "KinesisStream", "RaceModel", "CZlib"]),
        .target(
            name: "Simulator",
            dependencies: [
                "RaceModel", "KinesisStream", "KinesisAPI", "KinesisWire", "KinesisCBOR", "KinesisClient", "AWSClient", "SigV4", "MQTT", "MQTTWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "simulator/Simulator"),
        .target(name: "Firehose", dependencies: ["RaceModel", "StreamReading", "Storage"]),
        .target(
            name: "RaceStore",
            dependencies: [.product(name: "GRDB", package: "GRDB.swift"), .product(name: "Crypto", package: "swift-crypto")]),
        // Contract 4's file format on its own, so readers of history need not take the merger and its store.
        .target(name: "HistoryFile", dependencies: ["RaceModel", "Storage"]),
        .target(name: "Leaderboard", dependencies: ["RaceModel", "HistoryFile", "Storage", "RaceStore"]),
        .target(name: "Rankings", dependencies: ["RaceModel", "StreamReading", "HistoryFile"]),
        .target(
            name: "Pipeline",
            dependencies: ["RaceModel", "KinesisStream", "StreamReading", "Firehose", "Storage", "Leaderboard", "RaceStore"]),
        .target(
            name: "Service",
            dependencies: [
                "Pipeline", "Rankings", "Firehose", "Leaderboard", "HistoryFile", "RaceStore", "Storage", "KinesisStream", "KinesisAPI",
                "RaceModel", "StreamReading", "SigV4", "KinesisCBOR", "KinesisWire", "MQTT", "MQTTWire",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdHTTP2", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("Dashboard")]),
        .executableTarget(
            name: "alleycat",
            dependencies: [
                "Pipeline", "Service", "RaceStore", "Leaderboard", "HistoryFile", "RaceModel", "Simulator", "Firehose", "KinesisStream",
                "StreamReading", "KinesisClient", "AWSClient", "Leases", "S3Storage", "MQTT", "MQTTWire",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(
            name: "alleycat-sim",
            dependencies: [
                "Simulator", "KinesisStream", "KinesisClient", "AWSClient", "RaceModel", "SigV4", "MQTT",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "simulator/alleycat-sim"),
        // Fuzz targets (README, "Fuzzing"): built with libFuzzer by scripts/fuzz.sh, plain
        // corpus replayers in a normal build. FuzzChecks holds what they check, so the tests
        // replay the corpus and every crash input too.
        .systemLibrary(name: "CLibFuzzer", path: "Fuzz/CLibFuzzer"),
        .target(
            name: "FuzzChecks",
            dependencies: ["RaceModel", "KinesisAPI", "KinesisStream", "KinesisWire", "KinesisCBOR", "MQTTWire", "CLibFuzzer"],
            path: "Fuzz/FuzzChecks"),
        .executableTarget(name: "fuzz-record-parser", dependencies: ["FuzzChecks"], path: "Fuzz/fuzz-record-parser"),
        .executableTarget(name: "fuzz-kinesis-request", dependencies: ["FuzzChecks"], path: "Fuzz/fuzz-kinesis-request"),
        .executableTarget(name: "fuzz-cbor-request", dependencies: ["FuzzChecks"], path: "Fuzz/fuzz-cbor-request"),
        .executableTarget(name: "fuzz-mqtt-packet", dependencies: ["FuzzChecks"], path: "Fuzz/fuzz-mqtt-packet"),
        .testTarget(name: "RaceModelTests", dependencies: ["RaceModel"]),
        .testTarget(name: "StorageTests", dependencies: ["Storage"]),
        .testTarget(name: "KinesisStreamTests", dependencies: ["StreamReading", "KinesisStream"]),
        .testTarget(name: "KinesisWireTests", dependencies: ["KinesisWire"]),
        .testTarget(name: "KinesisCBORTests", dependencies: ["KinesisCBOR", "KinesisWire"]),
        .testTarget(name: "StreamReadingTests", dependencies: ["StreamReading"]),
        .testTarget(name: "SigV4Tests", dependencies: ["SigV4"]),
        .testTarget(name: "AWSClientTests", dependencies: ["AWSClient", "SigV4", "AlleycatTesting"]),
        .testTarget(name: "S3StorageTests", dependencies: ["S3Storage", "AWSClient", "HistoryFile", "RaceModel", "Storage", "AlleycatTesting"]),
        .testTarget(
            name: "LeasesTests",
            dependencies: [
                "Leases", "AWSClient", "StreamReading", "AlleycatTesting", "KinesisClient", "KinesisAPI", "KinesisStream", "KinesisWire", "Firehose",
                "Storage", "RaceModel",
            ]),
        .testTarget(name: "MQTTWireTests", dependencies: ["MQTTWire"]),
        .testTarget(
            name: "MQTTTests",
            dependencies: [
                "MQTT", "MQTTWire", "AlleycatTesting", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"), .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]),
        // What tests of several targets share: a moto_server child on a free port.
        .target(name: "AlleycatTesting", dependencies: ["KinesisClient", "AWSClient", "SigV4", "StreamReading"], path: "Tests/AlleycatTesting"),
        .testTarget(
            name: "KinesisClientTests", dependencies: ["KinesisClient", "AWSClient", "SigV4", "StreamReading", "KinesisWire", "KinesisAPI", "KinesisStream", "AlleycatTesting"]),
        .testTarget(name: "KinesisAPITests", dependencies: ["StreamReading", "KinesisAPI", "KinesisCBOR", "KinesisWire", "KinesisStream", "RaceModel"]),
        .testTarget(name: "SimulatorTests", dependencies: ["Simulator", "KinesisStream", "RaceModel"]),
        .testTarget(name: "FirehoseTests", dependencies: ["StreamReading", "Firehose", "KinesisStream", "Storage", "RaceModel"]),
        .testTarget(name: "FuzzChecksTests", dependencies: ["FuzzChecks", "KinesisAPI"]),
        .testTarget(name: "RaceStoreTests", dependencies: ["RaceStore", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "HistoryFileTests", dependencies: ["HistoryFile", "RaceModel", "Storage"]),
        .testTarget(name: "LeaderboardTests", dependencies: ["Leaderboard", "HistoryFile", "RaceStore", "Storage", "RaceModel"]),
        .testTarget(name: "RankingsTests", dependencies: ["StreamReading", "Rankings", "RaceModel", "KinesisStream", "HistoryFile"]),
        .testTarget(
            name: "ServiceTests",
            dependencies: [
                "Service", "Rankings", "KinesisStream", "KinesisWire", "StreamReading", "RaceStore", "RaceModel", "Pipeline", "Simulator", "SigV4", "KinesisCBOR", "KinesisAPI",
                "MQTT", "AlleycatTesting", "Storage",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWSTesting", package: "hummingbird-websocket"),
            ]),
        .testTarget(
            name: "PipelineTests",
            dependencies: [
                "Pipeline", "Firehose", "KinesisStream", "StreamReading", "KinesisClient", "AWSClient", "Leases", "S3Storage", "SigV4", "KinesisAPI", "KinesisWire", "AlleycatTesting", "Leaderboard", "HistoryFile", "RaceStore", "Storage", "RaceModel", "Simulator", "alleycat",
                "alleycat-sim",
            ]),
    ]
)
