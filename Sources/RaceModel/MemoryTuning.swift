import CMalloc

/// Process-wide allocator settings for the record path. glibc hands freed memory at
/// the top of the heap back to the kernel once 128 KiB are free, so a loop that
/// allocates and frees a second's worth of records faults every page in again each
/// time; on a virtual machine each fault costs microseconds. Keeping freed memory
/// (up to 256 MiB) makes the next second reuse it.
public enum MemoryTuning {
    public static func configure() {
        _ = alleycat_keep_freed_memory(256 << 20, 16 << 20, 64 << 20)
    }
}
