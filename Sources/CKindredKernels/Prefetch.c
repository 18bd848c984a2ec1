// A hint to the caches, for Swift loops that read rows from anywhere (the exact rescoring of a
// search's candidates): requesting a few rows ahead lets their reads overlap the arithmetic on
// the current one instead of each waiting its turn.

#include "CKindredKernels.h"

void kindred_prefetch(const void *start, size_t bytes) {
    const char *bytes_start = start;
    for (size_t offset = 0; offset < bytes; offset += 64) __builtin_prefetch(bytes_start + offset, 0, 3);
}
