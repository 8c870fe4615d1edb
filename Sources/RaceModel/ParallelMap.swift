import Dispatch

/// `body(0..<count)` on all cores, results in order.
public func parallelMap<T: Sendable>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
    [T](unsafeUninitializedCapacity: count) { buffer, initialized in
        // Each index is written by exactly one iteration.
        let slots = UncheckedPointer(base: buffer.baseAddress)
        DispatchQueue.concurrentPerform(iterations: count) { index in
            (slots.base! + index).initialize(to: body(index))
        }
        initialized = count
    }
}

private struct UncheckedPointer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>?
}
