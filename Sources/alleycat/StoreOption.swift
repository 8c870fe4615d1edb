import ArgumentParser
import Foundation
import RaceStore

/// `--store URL` of the query and key commands: the PostgreSQL store workers share
/// (`alleycat worker --store`), instead of the data folder's SQLite file.
struct StoreOption: ParsableArguments {
    @Option(name: .customLong("store"), help: "The results store: postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE, as given to `alleycat worker --store` (default: the data folder's alleycat.sqlite).")
    var url: String?
}

/// The PostgreSQL store at `url` (`postgres://…`), or a refusal that says what to give.
func openResultStore(url: String, option: String) throws -> any ResultStore {
    guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
        throw UserError("\(option) is '\(redactedPassword(url))', not a postgres://USER@HOST:PORT/DATABASE URL (leave \(option) out for SQLite in the data folder)")
    }
    throw UserError("\(option) \(redactedPassword(url)): the PostgreSQL store is not built yet (issue 14); leave \(option) out for SQLite in the data folder")
}

/// `url` with any password replaced by `***`, for messages and logs.
func redactedPassword(_ url: String) -> String {
    guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@") else { return url }
    let credentials = url[scheme.upperBound..<at]
    guard let colon = credentials.firstIndex(of: ":") else { return url }
    return String(url[..<credentials.index(after: colon)]) + "***" + String(url[at...])
}
