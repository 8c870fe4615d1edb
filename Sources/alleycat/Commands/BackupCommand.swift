import ArgumentParser
import Foundation
import Pipeline

struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write a consistent copy of a data folder, also while alleycat serve runs on it.",
        discussion: """
            The backup is a data folder itself: written as DEST.partial and renamed to DEST \
            once complete, so DEST is whole or absent. It takes no lock and reads the data \
            folder as the queries do, so `alleycat serve` goes on meanwhile. It holds:

              alleycat.sqlite  the store by SQLite's online backup (one committed state):
                               races, results, records, the ledger, the API keys
              secret.key       the key that seals the API keys' secrets in the store
              history/         the class-N.gz files
              delivery/        every delivered object, which `alleycat repair` rebuilds
                               history and store from: hard links when DEST is on the
                               same file system (objects never change), else copies
              checkpoints/     a remote source's consumer positions (serve --source)
              stream/, streams/NAME/
                               each stream's settings: shards, retention, tags,
                               consumers, mode
              backup.json      what was copied, when, from where, and the store
                               copy's integrity_check

            Not in it: the streams' segment logs. Records accepted but not yet delivered \
            (the firehose's buffer: up to 60 s or 1 MiB by default) are not in the backup, \
            and a restored service starts an empty stream, read from its start. DEST must \
            not exist, or be an empty folder; on another disk it survives this one.

            Example:
              alleycat backup /backups/alleycat-2026-12-01 --data /srv/alleycat

            Restore:
              1. stop the service: Ctrl-C or kill -INT PID (the pid is in
                 /srv/alleycat/alleycat.lock); it delivers and merges what it holds
              2. mv /srv/alleycat /srv/alleycat.old
              3. cp -a /backups/alleycat-2026-12-01 /srv/alleycat
                 (or mv, to use the backup itself)
              4. alleycat serve --data /srv/alleycat

            A node that reads another's stream (serve --source) resumes at its saved \
            positions there; if that stream was restored too (it numbers its records \
            from 1 again), remove /srv/alleycat/checkpoints/ before step 4.
            """)

    @Argument(help: "The backup's folder, which must not exist yet (or be empty).")
    var destination: String

    @Option(name: .customLong("data"), help: "Data directory to back up.")
    var directory = "data"

    func run() throws {
        do {
            _ = try DataFolderBackup(source: DataLayout(directory: directory), destination: destination).write { line in
                print(line)
                fflush(nil)
            }
        } catch {
            throw UserError(error.description)
        }
    }
}
