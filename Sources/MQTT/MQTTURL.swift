import Foundation

/// Where a broker is: `mqtt://[USER[:PASSWORD]@]HOST[:PORT]` (port 1883) or `mqtts://…` (TLS, port 8883).
public struct MQTTURL: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var tls: Bool
    public var username: String?
    public var password: String?

    public init(host: String, port: Int = 1883, tls: Bool = false, username: String? = nil, password: String? = nil) {
        self.host = host
        self.port = port
        self.tls = tls
        self.username = username
        self.password = password
    }

    public init(_ text: String) throws(MQTTClientError) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty
        else {
            throw .badURL("'\(text)' is not a broker URL: write mqtt://HOST:PORT (or mqtts:// for TLS, with USER:PASSWORD@ before the host if the broker asks)")
        }
        guard scheme == "mqtt" || scheme == "mqtts" else {
            throw .badURL("'\(text)' has the scheme '\(scheme)': a broker URL starts with mqtt:// or mqtts:// (TLS)")
        }
        if let port = components.port, !(1...65535).contains(port) {
            throw .badURL("'\(text)' has the port \(port): it must be 1 to 65535")
        }
        if !(components.path.isEmpty || components.path == "/") {
            throw .badURL("'\(text)' has the path '\(components.path)': a broker URL has none (topics are options of their own)")
        }
        self.init(
            host: host, port: components.port ?? (scheme == "mqtts" ? 8883 : 1883), tls: scheme == "mqtts",
            username: components.user?.removingPercentEncoding, password: components.password?.removingPercentEncoding)
    }

    /// The URL without its password.
    public var description: String {
        "\(tls ? "mqtts" : "mqtt")://\(username.map { "\($0)@" } ?? "")\(host):\(port)"
    }
}
