import Foundation
import Rankings
import Synchronization

/// WebSocket subscribers of the live rankings. Each subscriber has a buffer of one
/// message: one that has not taken the previous second's update when the next
/// arrives just gets the newer one, so a slow client can never slow the pipeline
/// or make memory grow.
public final class LiveHub: Sendable {
    struct Subscriber {
        var classId: Int
        var racerId: Int?
        var limit: Int
        var continuation: AsyncStream<String>.Continuation
    }

    private let subscribers = Mutex<[Int: Subscriber]>([:])
    private let nextId = Mutex(0)
    private let rankings: RankingEngine

    init(rankings: RankingEngine) {
        self.rankings = rankings
    }

    public var subscriberCount: Int { subscribers.withLock { $0.count } }

    func subscribe(classId: Int, racerId: Int?, limit: Int) -> (id: Int, messages: AsyncStream<String>) {
        let id = nextId.withLock { value in
            value += 1
            return value
        }
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(1))
        subscribers.withLock { $0[id] = Subscriber(classId: classId, racerId: racerId, limit: limit, continuation: continuation) }
        continuation.onTermination = { [weak self] _ in self?.unsubscribe(id) }
        return (id, stream)
    }

    func unsubscribe(_ id: Int) {
        let removed = subscribers.withLock { $0.removeValue(forKey: id) }
        removed?.continuation.finish()
    }

    /// Sends each subscriber of an updated class that class's standings.
    func publish(_ updates: [RankingUpdate]) {
        guard !updates.isEmpty else { return }
        let current = subscribers.withLock { $0 }
        for update in updates {
            // Subscribers without a racer of the same limit share one message.
            var shared: [Int: String] = [:]
            for subscriber in current.values where subscriber.classId == update.classId {
                let message: String
                if subscriber.racerId == nil, let cached = shared[subscriber.limit] {
                    message = cached
                } else {
                    let view = rankings.hereNow(classId: update.classId, limit: subscriber.limit, racerId: subscriber.racerId)
                    message = RankingJSON.liveMessage(view)
                    if subscriber.racerId == nil { shared[subscriber.limit] = message }
                }
                subscriber.continuation.yield(message)
            }
        }
    }

    func closeAll() {
        let all = subscribers.withLock { subscribers in
            defer { subscribers.removeAll() }
            return Array(subscribers.values)
        }
        all.forEach { $0.continuation.finish() }
    }
}
