import ArgumentParser
import RaceModel

@main
struct Alleycat: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alleycat",
        abstract: "Alleycat: a streaming race backend. Run races through the pipeline and query the results.",
        discussion: """
            Start with `alleycat race`: it runs a simulated 1,000-rider race through the whole \
            pipeline (stream, firehose, merger) and writes data/history/class-N.gz and \
            data/alleycat.sqlite. Then ask `alleycat leaderboard --class 1`.
            """,
        subcommands: [
            RaceCommand.self, LeaderboardCommand.self, RacesCommand.self, ResultsCommand.self, RacerCommand.self,
            HistoryCommand.self, RosterCommand.self, ServeCommand.self, BenchmarkCommand.self, KeysCommand.self, RepairCommand.self,
            VoidCommand.self, RebuildCommand.self, BackupCommand.self, WorkerCommand.self,
        ])
}

/// Options every query shares.
struct DataOptions: ParsableArguments {
    @Option(name: .customLong("data"), help: "Data directory (history files, delivered objects, store).")
    var directory = "data"

    @Flag(help: "Print JSON instead of a table, for scripts.")
    var json = false
}

/// A failure the user can act on: printed as is, exit code 1.
struct UserError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

func checkClass(_ classId: Int) throws -> ExerciseClass {
    guard let exerciseClass = ExerciseClass.withId(classId) else {
        throw UserError("class \(classId) does not exist: classes are 1 to 6 (\(ExerciseClass.all.map { "\($0.id) \($0.name)" }.joined(separator: ", ")))")
    }
    return exerciseClass
}
