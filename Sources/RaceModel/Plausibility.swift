import Foundation

/// What a real rider on a real bike can do in one class: a record beyond it (a faulty
/// bike, a forged message) is kept out of the history files, the store and the rankings,
/// and set aside by the firehose under `processing-failed/` with the limit it broke.
public struct PlausibilityLimits: Sendable, Equatable {
    /// Highest cadence, rpm.
    public var cadence: DecimalNumber
    /// Highest resistance.
    public var resistance: DecimalNumber
    /// Largest change of output from a racer's previous second to the next, either way.
    public var outputJump: DecimalNumber

    public init(cadence: DecimalNumber, resistance: DecimalNumber, outputJump: DecimalNumber) {
        self.cadence = cadence
        self.resistance = resistance
        self.outputJump = outputJump
    }

    /// Cadence 200 rpm, resistance 100, an output change of at most 100 a second.
    public static let standard = PlausibilityLimits(cadence: DecimalNumber(200), resistance: DecimalNumber(100), outputJump: DecimalNumber(100))
}

/// A limit a record broke, said so a person can act on it.
public struct PlausibilityViolation: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Limit: String, Sendable, Equatable {
        case cadence
        case resistance
        case outputJump
    }

    public var limit: Limit
    public var classId: Int
    public var value: DecimalNumber
    public var bound: DecimalNumber
    /// For `outputJump`: the second before and its output.
    public var previous: (second: Int, output: DecimalNumber)?

    public static func == (lhs: PlausibilityViolation, rhs: PlausibilityViolation) -> Bool {
        lhs.limit == rhs.limit && lhs.classId == rhs.classId && lhs.value == rhs.value && lhs.bound == rhs.bound
            && lhs.previous?.second == rhs.previous?.second && lhs.previous?.output == rhs.previous?.output
    }

    public var description: String {
        switch limit {
        case .cadence:
            "cadence is \(value), above class \(classId)'s plausibility limit of \(bound) rpm"
        case .resistance:
            "resistance is \(value), above class \(classId)'s plausibility limit of \(bound)"
        case .outputJump:
            "output is \(value), a change of \(Self.distance(value, previous!.output)) from second \(previous!.second)'s "
                + "\(previous!.output), above class \(classId)'s plausibility limit of \(bound) a second"
        }
    }

    static func distance(_ a: DecimalNumber, _ b: DecimalNumber) -> DecimalNumber {
        DecimalNumber(shortest: abs(a.doubleValue - b.doubleValue))
    }
}

/// The limits of every class (design.md, contract 1). Configured with a JSON file,
/// `DATA/limits.json` unless a command is given another:
///
///     {"cadence": 220, "classes": {"6": {"outputJump": 150}}}
///
/// Top-level keys set every class; `classes` overrides them per class. Keys are
/// `cadence`, `resistance` and `outputJump`; what a file leaves out keeps its default.
public struct Plausibility: Sendable, Equatable {
    /// Index class id - 1.
    public var classes: [PlausibilityLimits]

    public init(classes: [PlausibilityLimits] = Array(repeating: .standard, count: ExerciseClass.all.count)) {
        precondition(classes.count == ExerciseClass.all.count, "one limits entry per class")
        self.classes = classes
    }

    public static let standard = Plausibility()

    /// Where a data folder keeps its limits.
    public static func path(inDataDirectory directory: String) -> String { directory + "/limits.json" }

    /// The limits of a class in 1...6.
    public func limits(classId: Int) -> PlausibilityLimits { classes[classId - 1] }

    /// Whether the record's cadence and resistance are within its class's limits.
    /// `classId` must be in 1...6 (the parser has checked it).
    public func check(classId: Int, cadence: DecimalNumber, resistance: DecimalNumber) -> PlausibilityViolation? {
        let limits = classes[classId - 1]
        if limits.cadence < cadence {
            return PlausibilityViolation(limit: .cadence, classId: classId, value: cadence, bound: limits.cadence)
        }
        if limits.resistance < resistance {
            return PlausibilityViolation(limit: .resistance, classId: classId, value: resistance, bound: limits.resistance)
        }
        return nil
    }

    /// Whether `output` at a second is within the class's jump limit of the previous second's.
    public func checkJump(classId: Int, output: DecimalNumber, previousSecond: Int, previousOutput: DecimalNumber) -> PlausibilityViolation? {
        let limits = classes[classId - 1]
        guard (output.doubleValue - previousOutput.doubleValue).magnitude > limits.outputJump.doubleValue else { return nil }
        return PlausibilityViolation(
            limit: .outputJump, classId: classId, value: output, bound: limits.outputJump, previous: (previousSecond, previousOutput))
    }

    // MARK: The file

    /// The limits in the file at `path`, or the defaults when there is no file there.
    public static func load(path: String) throws(PlausibilityFileError) -> Plausibility {
        guard FileManager.default.fileExists(atPath: path) else { return .standard }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw PlausibilityFileError(path: path, reason: "cannot be read (\(error.localizedDescription))")
        }
        return try decode(data, path: path)
    }

    static func decode(_ data: Data, path: String) throws(PlausibilityFileError) -> Plausibility {
        let file: LimitsObject
        do {
            file = try JSONDecoder().decode(LimitsObject.self, from: data)
        } catch let DecodingError.typeMismatch(_, context) {
            let key = context.codingPath.map(\.stringValue).joined(separator: ".")
            let isLimit = ["cadence", "resistance", "outputJump"].contains(context.codingPath.last?.stringValue ?? "")
            throw PlausibilityFileError(
                path: path, reason: key.isEmpty ? "must be a JSON object" : "has \(key) that is not " + (isLimit ? "a number" : "an object"))
        } catch let DecodingError.dataCorrupted(context) where context.underlyingError is LimitsObject.Problem {
            throw PlausibilityFileError(path: path, reason: (context.underlyingError as! LimitsObject.Problem).reason)
        } catch {
            throw PlausibilityFileError(path: path, reason: "is not valid JSON")
        }
        var base = PlausibilityLimits.standard
        file.apply(to: &base)
        var plausibility = Plausibility(classes: Array(repeating: base, count: ExerciseClass.all.count))
        for (key, limits) in file.classes {
            guard let classId = Int(key), ExerciseClass.validIds.contains(classId) else {
                throw PlausibilityFileError(path: path, reason: "has classes.\(key): classes are 1 to 6")
            }
            limits.apply(to: &plausibility.classes[classId - 1])
        }
        return plausibility
    }

    /// A limits object: `cadence`, `resistance`, `outputJump` and (at the top) `classes`.
    private struct LimitsObject: Decodable {
        var values: [String: Double] = [:]
        var classes: [String: LimitsObject] = [:]

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        struct Problem: Error {
            var reason: String
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            let path = container.codingPath.map(\.stringValue)
            let prefix = path.isEmpty ? "" : path.joined(separator: ".") + "."
            for key in container.allKeys {
                if key.stringValue == "classes", path.isEmpty {
                    classes = try container.decode([String: LimitsObject].self, forKey: key)
                    continue
                }
                guard ["cadence", "resistance", "outputJump"].contains(key.stringValue) else {
                    throw DecodingError.dataCorrupted(.init(
                        codingPath: container.codingPath, debugDescription: "",
                        underlyingError: Problem(reason: "has an unknown key \(prefix)\(key.stringValue): the keys are cadence, resistance, outputJump"
                            + (path.isEmpty ? " and classes" : ""))))
                }
                let value = try container.decode(Double.self, forKey: key)
                guard value.isFinite, value >= 0, value <= 1_000_000 else {
                    throw DecodingError.dataCorrupted(.init(
                        codingPath: container.codingPath, debugDescription: "",
                        underlyingError: Problem(reason: "has \(prefix)\(key.stringValue) = \(value): a limit is a number from 0 to 1000000")))
                }
                values[key.stringValue] = value
            }
        }

        func apply(to limits: inout PlausibilityLimits) {
            if let value = values["cadence"] { limits.cadence = DecimalNumber(shortest: value) }
            if let value = values["resistance"] { limits.resistance = DecimalNumber(shortest: value) }
            if let value = values["outputJump"] { limits.outputJump = DecimalNumber(shortest: value) }
        }
    }

    /// The limits as the README shows them: one line per class.
    public var summary: [String] {
        ExerciseClass.all.map { exerciseClass in
            let limits = self.limits(classId: exerciseClass.id)
            return "\(exerciseClass): cadence at most \(limits.cadence) rpm, resistance at most \(limits.resistance), "
                + "output changing at most \(limits.outputJump) a second"
        }
    }
}

/// A limits file that cannot be used, with what to fix.
public struct PlausibilityFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let reason: String

    public var description: String { "the plausibility limits file \(path) \(reason)" }
}

extension DecimalNumber {
    /// The shortest decimal that reads back as `value` (Swift's own `description` of a
    /// Double): exact for every value of up to 15 significant digits, so an output
    /// stored as a Float64 comes back with the digits it was computed with. `value` must
    /// be finite and below 10^18 in magnitude.
    public init(shortest value: Double) {
        precondition(value.isFinite && value.magnitude < 1e18, "a decimal holds finite values below 10^18")
        let text = Array("\(value)".utf8)
        let parsed: DecimalNumber? = text.withUnsafeBufferPointer { buffer in
            var index = 0
            return DecimalNumber.parseJSON(buffer, index: &index)
        }
        if let parsed {
            self = parsed.normalized()
        } else {
            // Beyond 18 digits or places: as the transform rounds such an output (whole above 10^9).
            self = value.magnitude < 1e9
                ? DecimalNumber(mantissa: Int64((value * 1e9).rounded()), scale: 9).normalized()
                : DecimalNumber(mantissa: Int64(value.rounded()), scale: 0)
        }
    }
}
