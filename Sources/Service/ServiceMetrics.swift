import enum CoreMetrics.MetricsSystem
import Prometheus
import Synchronization

/// The service's Prometheus metrics, served at /metrics, and after them the HTTP requests
/// that Hummingbird's MetricsMiddleware counts through swift-metrics.
public final class ServiceMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()

    /// The process's swift-metrics backend: Hummingbird's MetricsMiddleware records every
    /// request there (`hb_requests`, `hb_request_errors`, `http_server_request_duration` by
    /// endpoint path, method and status; `http_server_active_requests` by method).
    /// swift-metrics takes one backend per process and traps on a second bootstrap, so it is
    /// bootstrapped here once, by the first ServiceMetrics made; every service in the process
    /// (one in `alleycat serve`, many in the tests) counts its requests in this one registry.
    static let requests: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(100), .milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100), .seconds(1),
        ]
        MetricsSystem.bootstrap(factory)
        return registry
    }()
    let recordsIn: Counter
    let recordsDelivered: Counter
    let recordsFailed: Counter
    let recordsImplausible: Counter
    let rankingImplausible: Counter
    let merges: Counter
    let rankingUpdates: Counter
    let publishDelay: DurationHistogram
    let mqttResultsDropped: Counter

    init() {
        _ = Self.requests
        recordsIn = registry.makeCounter(name: "alleycat_records_in_total", help: "Records read by the firehose from the stream.")
        recordsDelivered = registry.makeCounter(name: "alleycat_records_delivered_total", help: "Records written in delivered objects.")
        recordsFailed = registry.makeCounter(name: "alleycat_records_failed_total", help: "Records set aside under processing-failed/.")
        let implausibleHelp = "Records beyond their class's plausibility limits: set aside by the firehose, left out by the rankings."
        recordsImplausible = registry.makeCounter(name: "alleycat_records_implausible_total", labels: [("stage", "firehose")], help: implausibleHelp)
        rankingImplausible = registry.makeCounter(name: "alleycat_records_implausible_total", labels: [("stage", "rankings")], help: implausibleHelp)
        merges = registry.makeCounter(name: "alleycat_merges_total", help: "Merges of delivered objects into history and store.")
        rankingUpdates = registry.makeCounter(name: "alleycat_ranking_updates_total", help: "Ranking updates published (one per class per race second).")
        publishDelay = registry.makeDurationHistogram(
            name: "alleycat_ranking_publish_delay_seconds",
            buckets: [.milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1)],
            help: "From a record accepted by the stream to the ranking that includes it published.")
        mqttResultsDropped = registry.makeCounter(
            name: "alleycat_mqtt_results_dropped_total", help: "Results messages not published over MQTT (broker connection down or slow to read).")
    }

    /// `alleycat_mqtt_messages_total{outcome}`: messages of the MQTT publish topic received,
    /// accepted by the stream, put again after a refusal, dropped (QoS 0 beyond the queue).
    func record(mqtt counts: MQTTIngest.Counts) {
        for (outcome, value) in [("received", counts.received), ("accepted", counts.accepted), ("retried", counts.retried), ("dropped", counts.dropped)] {
            registry.makeGauge(name: "alleycat_mqtt_messages", labels: [("outcome", outcome)], help: "MQTT messages since start, by outcome.")
                .set(to: Double(value))
        }
    }

    /// Failed attempts already counted, by stage.
    private let countedFailures = Mutex<[String: Int]>([:])

    /// `alleycat_stage_failing{stage}` (1 while failing) and `alleycat_stage_failures_total{stage}`
    /// (failed attempts: refused log writes, failed deliveries and merges) from each stage's state.
    func record(_ health: ServiceHealth, failures: [String: Int]) {
        for stage in health.stages {
            registry.makeGauge(name: "alleycat_stage_failing", labels: [("stage", stage.name)], help: "1 while the stage is failing (see /health).")
                .set(to: stage.failure == nil ? 0.0 : 1.0)
        }
        let new = countedFailures.withLock { counted in
            defer { counted.merge(failures) { max($0, $1) } }
            return failures.map { ($0.key, $0.value - counted[$0.key, default: 0]) }.filter { $0.1 > 0 }
        }
        for (stage, count) in new {
            registry.makeCounter(name: "alleycat_stage_failures_total", labels: [("stage", stage)], help: "Failed attempts of a stage (each is retried).")
                .increment(by: Int64(count))
        }
    }

    /// Requests refused and connections closed by the connection guard, by reason
    /// (malformed, header-timeout, body-timeout, idle-timeout, too-many-connections, reserve-only).
    func refusedConnection(reason: String) -> Counter {
        registry.makeCounter(name: "alleycat_http_refused_total", labels: [("reason", reason)], help: "Requests refused or connections closed before a route answered.")
    }

    /// Kinesis API calls by action and outcome (`ok` or the error's `__type`), and by API key name when admitted.
    func kinesisRequest(action: String, outcome: String, key: String?) -> Counter {
        registry.makeCounter(
            name: "alleycat_kinesis_requests_total", labels: [("action", action), ("outcome", outcome), ("key", key ?? "")],
            help: "Kinesis API requests answered.")
    }

    /// The text of /metrics: this service's metrics, then the process's HTTP requests.
    func exposition() -> [UInt8] {
        var text = registry.emitToBuffer()
        Self.requests.emit(into: &text)
        return text
    }
}
