/// The six exercise classes a race can be in.
public struct ExerciseClass: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let id: Int
    public let name: String

    public static let validIds: ClosedRange<Int> = 1...6

    public static let all: [ExerciseClass] = [
        ExerciseClass(id: 1, name: "Recovery Ride"),
        ExerciseClass(id: 2, name: "Endurance"),
        ExerciseClass(id: 3, name: "Tempo"),
        ExerciseClass(id: 4, name: "Hill Climb"),
        ExerciseClass(id: 5, name: "Intervals"),
        ExerciseClass(id: 6, name: "Sprint"),
    ]

    /// The class with this id, or nil outside 1...6.
    public static func withId(_ id: Int) -> ExerciseClass? {
        validIds.contains(id) ? all[id - 1] : nil
    }

    public static func < (lhs: ExerciseClass, rhs: ExerciseClass) -> Bool { lhs.id < rhs.id }

    public var description: String { "class \(id) (\(name))" }
}
