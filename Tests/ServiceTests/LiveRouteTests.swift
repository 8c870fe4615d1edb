import Foundation
import Hummingbird
import HummingbirdTesting
import HummingbirdWSTesting
import Synchronization
import Testing
@testable import Service

/// The /live WebSocket against a live server: one message per race second.
@Suite struct LiveRouteTests {
    @Test(.timeLimit(.minutes(3))) func oneMessagePerSecondWithTheRanking() async throws {
        let rig = try ServiceRig()
        defer { rig.remove() }
        let received = Mutex<[String]>([])
        try await rig.service.application().test(.live) { client in
            try await client.ws("/live?classId=1&racerId=2&limit=2") { inbound, _, _ in
                // Wait until the server has registered this subscriber, then race three seconds.
                while rig.service.hub.subscriberCount == 0 { await Task.yield() }
                var messages = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                for second in 1...3 {
                    try rig.second(second, [(1, 1, 60, 50), (2, 1, 60 + 10 * second, 50), (3, 1, 75, 50), (4, 2, 90, 90)])
                    guard case let .text(text) = try await messages.next() else { break }
                    received.withLock { $0.append(text) }
                }
            }
        }
        let messages = received.withLock { $0 }.map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(messages.count == 3)
        #expect(messages.map { $0["second"] as! Int } == [1, 2, 3])
        #expect(messages.allSatisfy { $0["type"] as? String == "rankings" && $0["classId"] as? Int == 1 })
        // Racer 2 climbs: cadence 70, 80, 90 against 60 (racer 1) and 75 (racer 3).
        #expect(messages.map { ($0["entries"] as! [[String: Any]]).map { $0["racerId"] as! Int } } == [[3, 2], [2, 3], [2, 3]])
        #expect(messages.map { (($0["racer"] as! [String: Any])["entry"] as! [String: Any])["rank"] as! Int } == [2, 1, 1])
        #expect(rig.service.hub.subscriberCount == 0)
    }

    @Test func badParametersAreRefusedBeforeUpgrading() async throws {
        let rig = try ServiceRig()
        defer { rig.remove() }
        let response = try await rig.service.application().test(.router) { client in
            try await client.execute(uri: "/live?classId=9", method: .get)
        }
        #expect(response.status == .badRequest)
        #expect(response.json as NSDictionary == ["error": "classId is '9', must be a class from 1 to 6"] as NSDictionary)
    }

    /// A WebSocket handshake with bad parameters is answered in the socket (the server
    /// library would answer a refused handshake 400 with no body).
    @Test(.timeLimit(.minutes(3))) func aHandshakeWithBadParametersGetsTheReasonThenClose1008() async throws {
        let rig = try ServiceRig()
        defer { rig.remove() }
        let received = Mutex<[String]>([])
        let close = try await rig.service.application().test(.live) { client in
            try await client.ws("/live?classId=1&limit=0") { inbound, _, _ in
                for try await message in inbound.messages(maxSize: 1 << 16) {
                    if case let .text(text) = message { received.withLock { $0.append(text) } }
                }
            }
        }
        #expect(received.withLock { $0 } == [#"{"error":"limit is '0', must be a whole number from 1 to 1000"}"#])
        #expect(close?.closeCode == .policyViolation)
        #expect(close?.reason == "bad parameters")
        #expect(rig.service.hub.subscriberCount == 0)
    }
}
