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
