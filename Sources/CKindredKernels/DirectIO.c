#define _GNU_SOURCE
#include <fcntl.h>
#include "CKindredKernels.h"

int kindred_open_direct_flag(void) {
#ifdef O_DIRECT
    return O_DIRECT;
#else
    return 0;
#endif
}
