#if ALLEYCAT_FUZZING
import CLibFuzzer
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Starts libFuzzer from the fuzz target's own `main`. SwiftPM links an executable's
/// `main` to the module's entry point (`--defsym main=<module>_main`), so libFuzzer's
/// `main` cannot be used; its `LLVMFuzzerRunDriver` does the same with our arguments.
public enum LibFuzzerDriver {
    public static func run(_ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
        // The Swift runtime's backtracer owns the crash signals; libFuzzer does not
        // replace a handler that is already there, and then writes no crash input.
        for crashSignal in [SIGILL, SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGTRAP] {
            _ = signal(crashSignal, SIG_DFL)
        }
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
    }
}
#endif
