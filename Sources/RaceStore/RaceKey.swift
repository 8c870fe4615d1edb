/// One race of one exercise class: the same `raceId` runs in every class at once.
public struct RaceKey: Hashable, Sendable, Comparable {
    public var raceId: Int64
    public var classId: Int

    public init(raceId: Int64, classId: Int) {
        self.raceId = raceId
        self.classId = classId
    }

    public static func < (lhs: RaceKey, rhs: RaceKey) -> Bool {
        (lhs.raceId, lhs.classId) < (rhs.raceId, rhs.classId)
    }
}
