import FuzzChecks
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Built with -sanitize=fuzzer -DALLEYCAT_FUZZING (scripts/fuzz.sh), this is a libFuzzer
// target; built normally, it replays the inputs it is given (a regression run).

#if ALLEYCAT_FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    MQTTPacketCheck.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
#endif

@main
struct MQTTPacketFuzzer {
    static func main() {
        #if ALLEYCAT_FUZZING
        LibFuzzerDriver.run { data, size in data.map { fuzz($0, size) } ?? 0 }
        #else
        let status = CorpusReplay.main(target: "fuzz-mqtt-packet", arguments: Array(CommandLine.arguments.dropFirst())) {
            MQTTPacketCheck.run($0)
        }
        exit(status)
        #endif
    }
}
