import ArgumentParser
import Foundation
import HistoryFile
import Leaderboard
import Pipeline
import RaceModel
import RaceStore
import Storage

/// Opens the store `--store` names, else the one of the data directory, or says how to make one.
func openStore(_ options: DataOptions, _ store: StoreOption) throws -> any ResultStore {
    if let url = store.url { return try openResultStore(url: url, option: "--store") }
    let path = DataLayout(directory: options.directory).storePath
    guard FileManager.default.fileExists(atPath: path) else {
        throw UserError("no store at \(path): run `alleycat race` first, or point --data at a data directory")
    }
    return try RaceStore(path: path)
}

/// Pretty-printed, or on one line when `pretty` is false. The query commands print the
/// store's records in their JSON shapes (RaceStore's RecordJSON.swift), the ones the HTTP
/// routes answer with; a list is printed bare, without the HTTP answer's envelope, which only
/// echoes the query's parameters (the command line has them) and would stand in the way of
/// `jq '.[]'` and the scripts that read these lists.
func printJSON(_ value: Any, pretty: Bool = true) {
    let data = try! JSONSerialization.data(
        withJSONObject: value, options: pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes])
    print(String(decoding: data, as: UTF8.self))
}

struct LeaderboardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leaderboard",
        abstract: "The all-time leaderboard of a class: each racer's best race under a measure.",
        discussion: "Measures: total (sum of the race's per-second outputs), best (highest single second), final (output at the last second). Ties are broken by racer id, lowest first.")

    @Option(name: .customLong("class"), help: "Class, 1 to 6.")
    var classId: Int

    @Option(help: "total, best or final.")
    var by = Measure.total.rawValue

    @Option(help: "How many racers to show.")
    var limit = 10

    @OptionGroup var options: DataOptions

    @OptionGroup var storeOption: StoreOption

    func validate() throws {
        _ = try checkClass(classId)
        guard Measure(rawValue: by) != nil else { throw ValidationError("--by must be total, best or final, got '\(by)'") }
        guard limit >= 1 else { throw ValidationError("--limit must be at least 1, got \(limit)") }
    }

    func run() throws {
        let exerciseClass = try checkClass(classId)
        let entries = try openStore(options, storeOption).leaderboard(classId: classId, by: Measure(rawValue: by)!, limit: limit)
        if options.json {
            printJSON(entries.map(\.json))
            return
        }
        print("all-time leaderboard of \(exerciseClass), by \(by) output")
        var table = Table("rank", "racer", "name", by, "race", rightAligned: [0, 1, 3, 4])
        for entry in entries {
            table.add(String(entry.rank), String(entry.racerId), entry.name, formatOutput(entry.value), String(entry.raceId))
        }
        print(entries.isEmpty ? "no races in this class yet" : table.text)
    }
}

struct RacesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "races", abstract: "The races of a class, newest first.")

    @Option(name: .customLong("class"), help: "Class, 1 to 6.")
    var classId: Int

    @OptionGroup var options: DataOptions

    @OptionGroup var storeOption: StoreOption

    func validate() throws { _ = try checkClass(classId) }

    func run() throws {
        let exerciseClass = try checkClass(classId)
        let races = try openStore(options, storeOption).races(classId: classId)
        if options.json {
            printJSON(races.map(\.json))
            return
        }
        print("races of \(exerciseClass)")
        var table = Table("race", "start (UTC)", "status", "racers", rightAligned: [0, 3])
        for race in races {
            table.add(String(race.raceId), UTCTime(millis: race.startMillis).readable, race.status.rawValue, String(race.racerCount))
        }
        print(races.isEmpty ? "no races in this class yet" : table.text)
    }
}

struct ResultsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "results", abstract: "Results of one race, per class, best total first.")

    @Option(help: "Race id (see `alleycat races --class N`).")
    var race: Int64

    @OptionGroup var options: DataOptions

    @OptionGroup var storeOption: StoreOption

    func run() throws {
        let store = try openStore(options, storeOption)
        let results = try store.results(raceId: race)
        guard !results.isEmpty else {
            throw UserError("race \(race) not found in \(DataLayout(directory: options.directory).storePath): `alleycat races --class N` lists the races")
        }
        if options.json {
            printJSON(results.map(\.json))
            return
        }
        for classId in Array(Set(results.map(\.classId))).sorted() {
            print("race \(race), \(ExerciseClass.withId(classId)!)")
            var table = Table("rank", "racer", "name", "total", "best", "final", "seconds", rightAligned: [0, 1, 3, 4, 5, 6])
            for result in results where result.classId == classId {
                table.add(String(result.rank), String(result.racerId), result.name, formatOutput(result.totalOutput),
                          formatOutput(result.bestOutput), result.finalOutput.map(formatOutput) ?? "-", String(result.secondsReported))
            }
            print(table.text)
            print("")
        }
    }
}

struct RacerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "racer", abstract: "One racer's races and all-time records.")

    @Option(help: "Racer id.")
    var id: Int

    @OptionGroup var options: DataOptions

    @OptionGroup var storeOption: StoreOption

    func run() throws {
        let store = try openStore(options, storeOption)
        let results = try store.racerResults(racerId: id)
        guard !results.isEmpty else {
            throw UserError("racer \(id) has no races in \(DataLayout(directory: options.directory).storePath)\(Roster.contains(id) ? "" : " (the roster has ids 0 to \(Roster.size - 1))")")
        }
        let records = try store.racerRecords(racerId: id)
        if options.json {
            printJSON(["racerId": id, "name": results[0].name, "races": results.map(\.json), "records": LeaderboardEntry.json(records: records)] as [String: Any])
            return
        }
        print("racer \(id) (\(terminalSafe(results[0].name, maxWidth: Table.maxCellWidth)))")
        var races = Table("race", "class", "total", "best", "final", "seconds", rightAligned: [0, 1, 2, 3, 4, 5])
        for result in results {
            races.add(String(result.raceId), String(result.classId), formatOutput(result.totalOutput), formatOutput(result.bestOutput),
                      result.finalOutput.map(formatOutput) ?? "-", String(result.secondsReported))
        }
        print(races.text)
        print("")
        print("all-time records")
        var table = Table("class", "measure", "value", "race", "rank", rightAligned: [0, 2, 3, 4])
        for measure in Measure.allCases {
            for (classId, entry) in (records[measure] ?? [:]).sorted(by: { $0.key < $1.key }) {
                table.add(String(classId), measure.rawValue, formatOutput(entry.value), String(entry.raceId), String(entry.rank))
            }
        }
        print(table.text)
    }
}

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Read a class's history file (the all-time per-second records frontends load).")

    @Option(name: .customLong("class"), help: "Class, 1 to 6.")
    var classId: Int

    @Option(help: "Only this second of the race.")
    var second: Int?

    @Option(help: "Only this racer.")
    var racer: Int?

    @OptionGroup var options: DataOptions

    func validate() throws { _ = try checkClass(classId) }

    func run() throws {
        let bucket = Bucket(name: "history", directory: DataLayout(directory: options.directory).historyDirectory)
        let key = HistoryMerger.historyKey(classId: classId)
        guard bucket.exists(key: key) else {
            throw UserError("no history file \(bucket.path(for: key)): class \(classId) has no merged races yet (run `alleycat race --class \(classId)`)")
        }
        let table = try HistoryTable.decode(Gzip.decompress(bucket.get(key: key)))
        if let racer, !table.contains(racerId: racer) {
            throw UserError("racer \(racer) has no records in class \(classId)")
        }
        var rows: [(second: Int, racer: Int, output: DecimalNumber)] = []
        for at in 0..<table.seconds where second == nil || second == at + 1 {
            for (racerId, best) in table.records(atSecond: at + 1) where racer == nil || racer == racerId { rows.append((at + 1, racerId, best)) }
        }
        rows.sort { ($0.second, $0.racer) < ($1.second, $1.racer) }
        if let second, rows.isEmpty { throw UserError("no records at second \(second) in class \(classId)") }
        if options.json {
            var object: [String: [String: Double]] = [:]
            for row in rows { object[String(row.second), default: [:]][String(row.racer)] = row.output.doubleValue }
            printJSON(object)
            return
        }
        var text = Table("second", "racer", "name", "best output", rightAligned: [0, 1, 3])
        for row in rows { text.add(String(row.second), String(row.racer), Roster.name(of: row.racer), row.output.description) }
        print(text.text)
    }
}

struct RosterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roster", abstract: "The racer roster (ids 0 to 39999 and first names), as in data/roster.tsv.")

    @Option(help: "Only this racer.")
    var id: Int?

    func run() throws {
        if let id {
            guard Roster.contains(id) else { throw UserError("racer \(id) is not in the roster: ids are 0 to \(Roster.size - 1)") }
            print("\(id)\t\(Roster.name(of: id))")
        } else {
            print(Roster.tsv(), terminator: "")
        }
    }
}
