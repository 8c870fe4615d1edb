#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Foundation
import RaceModel
import Synchronization

/// One running shim: a child that answers each request line on its stdin with one line
/// on its fd 3. Its stdin is a socket, so writing to a child that died is an error
/// (MSG_NOSIGNAL), not a SIGPIPE that ends this process. Its stdout and stderr go to
/// ours through a socket whose last bytes are kept for messages. It runs in a process
/// group of its own, so a Ctrl-C meant for alleycat does not stop it before the last
/// delivery, and it ends by itself when its stdin closes (when alleycat ends, however).
final class ShimProcess {
    let pid: pid_t
    /// Our end of the child's stdin (non-blocking).
    private let requests: Int32
    /// The read end of the child's fd 3 (non-blocking).
    private let answers: Int32
    /// Answer bytes read past the last complete line.
    private var pending: [UInt8] = []
    /// How far `pending` has been searched for a newline.
    private var scanned = 0
    private var status: Int32?
    let output: OutputTail

    enum Outcome {
        case line([UInt8])
        case timedOut
        /// The child closed its answer channel or its stdin: it exited or is exiting.
        case ended
    }

    /// Starts `arguments[0]` (an absolute path) with `arguments`.
    init(arguments: [String]) throws(ShimStartError) {
        // Socket pairs rather than pipes: made close-on-exec at once (no other spawn can take them).
        var socket: [Int32] = [-1, -1]
        var answerPair: [Int32] = [-1, -1]
        var outputPair: [Int32] = [-1, -1]
        let kind = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, kind, 0, &socket) == 0, socketpair(AF_UNIX, kind, 0, &answerPair) == 0,
              socketpair(AF_UNIX, kind, 0, &outputPair) == 0
        else {
            let reason = String(cString: strerror(errno))
            for fd in socket + answerPair + outputPair where fd >= 0 { close(fd) }
            throw ShimStartError("cannot make sockets to talk to the handler's process: \(reason)")
        }
        // The child's ends above 3, so no dup2 below overwrites another before it is moved.
        let childIn = Self.aboveStandard(socket[1]), childAnswers = Self.aboveStandard(answerPair[1])
        let childOutput = Self.aboveStandard(outputPair[1])
        defer {
            close(childIn)
            close(childAnswers)
            close(childOutput)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, childIn, 0)
        posix_spawn_file_actions_adddup2(&actions, childOutput, 1)
        posix_spawn_file_actions_adddup2(&actions, childOutput, 2)
        posix_spawn_file_actions_adddup2(&actions, childAnswers, 3)
        for fd in Self.inheritableDescriptors() where fd > 3 { posix_spawn_file_actions_addclose(&actions, fd) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        // Signals the service ignores or handles itself (an ignored one stays ignored across exec).
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var child = pid_t()
        let spawned = posix_spawn(&child, arguments[0], &actions, &attributes, &argv, environ)
        guard spawned == 0 else {
            for fd in [socket[0], answerPair[0], outputPair[0]] { close(fd) }
            throw ShimStartError("cannot start \(arguments[0]): \(String(cString: strerror(spawned)))")
        }
        pid = child
        requests = socket[0]
        answers = answerPair[0]
        for fd in [requests, answers] { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        output = OutputTail(fd: outputPair[0])
    }

    deinit {
        stop()
        close(requests)
        close(answers)
    }

    /// Sends `request` (all of it), then waits for one answer line, until `deadlineNanos`
    /// of the monotonic clock. An empty request only waits (for the `ready` line).
    func exchange(_ request: [UInt8], deadlineNanos: Int64) -> Outcome {
        var sent = 0
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            // An answer counts only once the whole request is out: a line before that is not its answer.
            if sent == request.count, let line = takeLine() { return .line(line) }
            let left = deadlineNanos - SystemClock.monotonicNanos()
            if left <= 0 { return .timedOut }
            var fds = [pollfd(fd: answers, events: Int16(POLLIN), revents: 0)]
            if sent < request.count { fds.append(pollfd(fd: requests, events: Int16(POLLOUT), revents: 0)) }
            let ready = poll(&fds, nfds_t(fds.count), Int32(min((left + 999_999) / 1_000_000, 60_000)))
            if ready < 0 && errno != EINTR { return .ended }
            if ready <= 0 { continue }
            if fds.count > 1, fds[1].revents != 0 {
                let written = request.withUnsafeBytes { send(requests, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
                if written > 0 {
                    sent += written
                } else if errno != EAGAIN && errno != EINTR {
                    return .ended
                }
            }
            if fds[0].revents != 0 {
                while true {
                    let count = chunk.withUnsafeMutableBytes { read(answers, $0.baseAddress!, $0.count) }
                    if count > 0 {
                        pending.append(contentsOf: chunk[0..<count])
                        continue
                    }
                    if count == 0 {
                        if sent == request.count, let line = takeLine() { return .line(line) }
                        return .ended
                    }
                    if errno == EINTR { continue }
                    if errno == EAGAIN { break }
                    return .ended
                }
            }
        }
    }

    private func takeLine() -> [UInt8]? {
        let found = pending.withUnsafeBytes { raw -> Int? in
            guard scanned < raw.count, let hit = memchr(raw.baseAddress! + scanned, 0x0A, raw.count - scanned) else { return nil }
            return raw.baseAddress!.distance(to: UnsafeRawPointer(hit))
        }
        guard let newline = found else {
            scanned = pending.count
            return nil
        }
        scanned = 0
        // Usually the answer is all there is: take the buffer rather than copy megabytes.
        if newline == pending.count - 1 {
            var line: [UInt8] = []
            swap(&line, &pending)
            line.removeLast()
            return line
        }
        let line = Array(pending[..<newline])
        pending.removeSubrange(...newline)
        return line
    }

    /// Whether the child has exited (reaping it if so).
    var hasExited: Bool {
        if status != nil { return true }
        var raw: Int32 = 0
        guard waitpid(pid, &raw, WNOHANG) == pid else { return false }
        status = raw
        return true
    }

    /// Kills the child and reaps it.
    func stop() {
        guard !hasExited else { return }
        kill(pid, SIGKILL)
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
        status = raw
    }

    /// How the child ended, once it has (waiting for it, since its answer channel is closed):
    /// "exited with status 3", "was killed by signal 9".
    func ending() -> String {
        if status == nil {
            var raw: Int32 = 0
            while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
            status = raw
        }
        let raw = status!
        // WIFEXITED and friends are macros Swift does not import.
        let signal = raw & 0x7F
        return signal == 0 ? "exited with status \((raw >> 8) & 0xFF)" : "was killed by signal \(signal)"
    }

    /// This process's open descriptors without close-on-exec, which the child would otherwise inherit.
    private static func inheritableDescriptors() -> [Int32] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return names.compactMap(Int32.init).filter { fd in
            let flags = fcntl(fd, F_GETFD)
            return flags >= 0 && flags & FD_CLOEXEC == 0
        }
    }

    /// Moves a new descriptor above the standard ones and fd 3 (still close-on-exec).
    private static func aboveStandard(_ fd: Int32) -> Int32 {
        guard fd <= 3 else { return fd }
        let moved = fcntl(fd, F_DUPFD_CLOEXEC, 4)
        close(fd)
        return moved
    }
}

/// Copies a child's stdout and stderr to ours as they come, keeping the last bytes.
final class OutputTail: Sendable {
    private let tail = Mutex<[UInt8]>([])
    private let finished = DispatchSemaphore(value: 0)
    static let kept = 2000

    init(fd: Int32) {
        let thread = Thread { [self] in drain(fd) }
        thread.name = "alleycat processor output"
        thread.start()
    }

    private func drain(_ fd: Int32) {
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            chunk.withUnsafeBytes { Self.writeAll(UnsafeRawBufferPointer(rebasing: $0[0..<count]), to: 2) }
            tail.withLock { kept in
                kept.append(contentsOf: chunk[0..<count])
                if kept.count > 2 * Self.kept { kept.removeFirst(kept.count - Self.kept) }
            }
        }
        close(fd)
        finished.signal()
    }

    private static func writeAll(_ bytes: UnsafeRawBufferPointer, to fd: Int32) {
        var offset = 0
        while offset < bytes.count {
            let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return }
            offset += written
        }
    }

    /// The last output, once the child's end closed (or after `waitSeconds` if something it
    /// started still holds it), as one trimmed line.
    func text(waitSeconds: Double = 1) -> String {
        if finished.wait(timeout: .now() + waitSeconds) == .success { finished.signal() }
        let bytes = tail.withLock { $0.suffix(Self.kept) }
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " | ")
    }
}

struct ShimStartError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
