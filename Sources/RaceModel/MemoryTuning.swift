import CMalloc

/// Process-wide allocator settings. glibc hands freed memory at the top of the heap
/// back to the kernel once 128 KiB are free, so a loop that allocates and frees a
/// second's worth of records faults every page in again each time; on a virtual
/// machine each fault costs microseconds.
public enum MemoryTuning {
    /// `batch` (`alleycat race`, benchmarks) keeps up to 256 MiB of freed memory, blocks
    /// up to 64 MiB included (delivery buffers, reads of many records), so the next second
    /// reuses them without faulting pages in again. `service` (`alleycat serve`, which runs
    /// for days) gives blocks of 1 MiB and more straight back to the kernel, keeps 16 MiB
    /// of other freed memory and uses two arenas, so resident memory follows what is in use.
    public enum Profile {
        case batch, service
    }

    public static func configure(_ profile: Profile = .batch) {
        switch profile {
        case .batch: _ = alleycat_keep_freed_memory(256 << 20, 16 << 20, 64 << 20)
        case .service:
            _ = alleycat_keep_freed_memory(16 << 20, 4 << 20, 1 << 20)
            _ = alleycat_limit_arenas(2)
        }
    }

    /// Gives the kernel back the free pages inside the heap, which trimming at its top
    /// cannot reach (what 2,000 closed WebSocket connections leave, say). A service calls
    /// it every 30 s; it takes about a millisecond per 100 MB of heap.
    public static func giveBackFreedMemory() {
        _ = alleycat_trim()
    }
}
