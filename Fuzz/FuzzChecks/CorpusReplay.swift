#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Runs a check over corpus files: what a fuzz target does without libFuzzer, and
/// what the tests do with `Fuzz/corpus/<target>/` and `Fuzz/crashes/<target>/`.
public enum CorpusReplay {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The files named, and the files directly inside the folders named, in name
    /// order; hidden files (`.gitkeep`) are skipped. A missing path is an error.
    public static func files(_ paths: [String]) throws(Failure) -> [String] {
        var files: [String] = []
        for path in paths {
            var isFolder = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                throw Failure(description: "\(path) does not exist: name corpus folders or input files")
            }
            guard isFolder else {
                files.append(path)
                continue
            }
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: path)
            } catch {
                throw Failure(description: "cannot list \(path): \(error)")
            }
            files += names.filter { !$0.hasPrefix(".") }.sorted().map { path.hasSuffix("/") ? path + $0 : path + "/" + $0 }
        }
        return files
    }

    public static func contents(_ file: String) throws(Failure) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw Failure(description: "cannot read \(file)")
        }
        return [UInt8](data)
    }

    /// The `main` of a fuzz target built without libFuzzer: runs `check` on every input
    /// and prints how many ran. Exit status 64 without arguments, 1 for a missing path.
    public static func main(target: String, arguments: [String], check: ([UInt8]) -> Void) -> Int32 {
        guard !arguments.isEmpty else {
            print("usage: \(target) CORPUS_FOLDER_OR_FILE...")
            print("Runs the \(target) check over every input; scripts/fuzz.sh builds the libFuzzer version.")
            return 64
        }
        do throws(Failure) {
            let files = try files(arguments)
            for file in files {
                check(try contents(file))
            }
            print("\(target): ran \(files.count) input\(files.count == 1 ? "" : "s")")
            return 0
        } catch {
            print("\(target): \(error)")
            return 1
        }
    }
}
