// glibc's allocator tuning (mallopt), which Swift's Glibc module does not export.
#include <malloc.h>

static inline int alleycat_keep_freed_memory(int trim_threshold, int top_pad, int mmap_threshold) {
#ifdef M_TRIM_THRESHOLD
    return mallopt(M_TRIM_THRESHOLD, trim_threshold)
        && mallopt(M_TOP_PAD, top_pad)
        && mallopt(M_MMAP_THRESHOLD, mmap_threshold);
#else
    return 0;
#endif
}

// At most `count` malloc arenas: each thread that allocates may otherwise take one of
// its own (up to 8 per core), and each keeps its freed memory apart from the others.
static inline int alleycat_limit_arenas(int count) {
#ifdef M_ARENA_MAX
    return mallopt(M_ARENA_MAX, count);
#else
    return 0;
#endif
}

// Hands free pages inside the heap (not only at its top) back to the kernel; returns 1
// when memory was released.
static inline int alleycat_trim(void) {
#ifdef M_TRIM_THRESHOLD
    return malloc_trim(0);
#else
    return 0;
#endif
}
