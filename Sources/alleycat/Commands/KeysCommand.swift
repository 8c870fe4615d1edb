import ArgumentParser
import Foundation
import Pipeline
import RaceModel
import RaceStore

struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create, list and revoke the API keys that clients send to the service.",
        discussion: """
            A client sends its key as the x-api-key header, or signs with an AWS SDK or the AWS \
            CLI (SigV4) using the key as the access key id and the key's secret; a signed request \
            is taken only when its signature checks out and its X-Amz-Date is within 15 minutes. \
            Each key has a plan: a rate in requests per second and a burst. The store \
            (DATA/alleycat.sqlite) keeps each key's SHA-256 hash and its secret sealed with \
            AES-GCM under DATA/secret.key, so both are shown once, when the key is created; a \
            lost key cannot be recovered: revoke it and create another.

            Examples:
              alleycat keys create --name bench --rate 100 --burst 200
              alleycat keys create --name scripts --json
              alleycat keys list
              alleycat keys revoke bench
              alleycat keys revoke 3
            """,
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an API key and print it, once.",
            discussion: """
                Prints the new key and its SigV4 secret, with the two `aws configure set` commands \
                that make them a profile named after the key: keep them then, they are not shown \
                again. With --json, prints {"burst":…,"bytesPerSecond":…,"id":…,"key":…,"name":…,\
                "requestsPerSecond":…,"secretAccessKey":…} on one line. Creates the store (and \
                DATA/secret.key) if the data directory has none yet.

                Examples:
                  alleycat keys create --name bench
                  alleycat keys create --name dashboard --rate 5 --burst 10 --data /srv/alleycat
                """)

        @Option(help: "A name to tell the key by: 1 to 64 letters, digits, '-', '_' or '.', unique.")
        var name: String

        @Option(help: "Requests per second the key may make on average, 1 to 1000000.")
        var rate = 100

        @Option(help: "Requests the key may make at once (the size of its token bucket), 1 to 1000000; may be below --rate.")
        var burst = 200

        @Option(name: .customLong("bytes-per-second"), help: "Request bytes the key may send a second on average, 1024 to 1073741824 (its bucket holds a second's worth, and at least one 8 MiB request).")
        var bytesPerSecond = APIKey.defaultBytesPerSecond

        @OptionGroup var options: DataOptions

        @OptionGroup var storeOption: StoreOption

        func validate() throws {
            do {
                try APIKey.validate(name: name, requestsPerSecond: rate, burst: burst, bytesPerSecond: bytesPerSecond)
            } catch {
                throw ValidationError(error.description)
            }
        }

        func run() throws {
            let layout = DataLayout(directory: options.directory)
            let store = try storeOption.url.map { try openResultStore(url: $0, option: "--store") } ?? RaceStore(path: layout.storePath)
            let seal: APISecretSeal
            do {
                seal = try APISecretSeal(keyFile: layout.secretKeyPath)
            } catch {
                throw UserError(error.description)
            }
            let secret = APIKeySecret.generate()
            let signingSecret = APIKeySecret.generateSigningSecret()
            let key = try userErrors {
                try store.createAPIKey(
                    name: name, secret: secret, requestsPerSecond: rate, burst: burst, bytesPerSecond: bytesPerSecond,
                    sealedSigningSecret: seal.seal(signingSecret, keyHash: APIKeySecret.hash(secret)), nowMillis: nowMillis())
            }
            if options.json {
                printJSON(["id": key.id, "name": key.name, "key": secret, "secretAccessKey": signingSecret,
                           "requestsPerSecond": key.requestsPerSecond, "burst": key.burst, "bytesPerSecond": key.bytesPerSecond] as [String: Any],
                          pretty: false)
                return
            }
            print("created API key '\(key.name)' (id \(key.id)): rate \(key.requestsPerSecond) requests/s, burst \(key.burst), \(key.bytesPerSecond) bytes/s")
            print("key:    \(secret)")
            print("secret: \(signingSecret)")
            print("Keep both now: they are not shown again. Send the key as the x-api-key header, or sign with an AWS SDK or the AWS CLI:")
            print("  aws configure set aws_access_key_id \(secret) --profile \(key.name)")
            print("  aws configure set aws_secret_access_key \(signingSecret) --profile \(key.name)")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the API keys, revoked ones too (never the keys themselves).",
            discussion: """
                Each key shows its first 6 characters (prefix) to tell it apart, its plan, when it \
                was created and whether it is active or revoked (times in UTC).

                Examples:
                  alleycat keys list
                  alleycat keys list --json
                """)

        @OptionGroup var options: DataOptions

        @OptionGroup var storeOption: StoreOption

        func run() throws {
            let keys = try openKeyStore(options, storeOption).apiKeys()
            if options.json {
                printJSON(keys.map(apiKeyJSON))
                return
            }
            guard !keys.isEmpty else {
                print("no API keys yet: `alleycat keys create --name NAME` makes one")
                return
            }
            var table = Table("id", "name", "prefix", "rate/s", "burst", "bytes/s", "created", "status", rightAligned: [0, 3, 4, 5])
            for key in keys {
                table.add(String(key.id), key.name, key.prefix, String(key.requestsPerSecond), String(key.burst), String(key.bytesPerSecond),
                          UTCTime(millis: key.createdMillis).iso, key.revokedMillis.map { "revoked at \(UTCTime(millis: $0).iso)" } ?? "active")
            }
            print(table.text)
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke an API key: the service refuses it from then on.",
            discussion: """
                A revoked key stays in the list, and its name stays taken. A number is read as \
                the key's id (see `alleycat keys list`), anything else as its name.

                Examples:
                  alleycat keys revoke bench
                  alleycat keys revoke 3
                """)

        @Argument(help: "The key's name or id.")
        var nameOrId: String

        @OptionGroup var options: DataOptions

        @OptionGroup var storeOption: StoreOption

        func run() throws {
            let store = try openKeyStore(options, storeOption)
            let key = try userErrors { try store.revokeAPIKey(nameOrId, nowMillis: nowMillis()) }
            if options.json {
                printJSON(apiKeyJSON(key))
                return
            }
            print("revoked API key '\(key.name)' (id \(key.id))")
        }
    }
}

/// Opens the store of a data directory for `keys list` and `keys revoke`, which have nothing to do without one.
private func openKeyStore(_ options: DataOptions, _ store: StoreOption) throws -> any ResultStore {
    if let url = store.url { return try openResultStore(url: url, option: "--store") }
    let path = DataLayout(directory: options.directory).storePath
    guard FileManager.default.fileExists(atPath: path) else {
        throw UserError("no store at \(path): `alleycat keys create --name NAME` makes one, or point --data at a data directory")
    }
    return try RaceStore(path: path)
}

/// The store's refusals (name taken, no such key, …) are the user's to fix: print them as is.
private func userErrors<Result>(_ body: () throws -> Result) throws -> Result {
    do {
        return try body()
    } catch let error as APIKeyError {
        throw UserError(error.description)
    }
}

/// A key as `keys list --json` and `keys revoke --json` print it.
private func apiKeyJSON(_ key: APIKey) -> [String: Any] {
    [
        "id": key.id, "name": key.name, "prefix": key.prefix,
        "requestsPerSecond": key.requestsPerSecond, "burst": key.burst, "bytesPerSecond": key.bytesPerSecond,
        "createdMillis": key.createdMillis, "revokedMillis": key.revokedMillis.map { $0 as Any } ?? NSNull(),
        "status": key.isRevoked ? "revoked" : "active",
    ]
}

private func nowMillis() -> Int64 {
    Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
}
