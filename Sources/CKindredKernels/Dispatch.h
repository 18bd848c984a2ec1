// How each kernel in this target picks the build the CPU runs. Not part of the module's interface.
#ifndef KINDRED_DISPATCH_H
#define KINDRED_DISPATCH_H

#include <stdlib.h>
#include <strings.h>

// Builds of a kernel, by level: 0 the baseline, 1 AVX2 with FMA, 2 AVX-512.
enum { kindred_levels = 3 };
static const char *const kindred_level_names[kindred_levels] = {"baseline", "avx2", "avx512"};

// The widest level the environment allows: KINDRED_MAX_CPU_ISA, else ONEDNN_MAX_CPU_ISA (so that
// one variable caps oneDNN and these kernels alike), read as oneDNN reads its values: AVX512…
// or ALL allow everything, AVX2… (AVX2_VNNI too) allows AVX2, anything else (SSE41, AVX,
// BASELINE) only the baseline. Unset: no cap. This is how a machine of one CPU class runs the
// paths of an older one (tests and benchmarks; see docs/performance.md).
static inline int kindred_level_cap(void) {
    const char *value = getenv("KINDRED_MAX_CPU_ISA");
    if (!value || !*value) value = getenv("ONEDNN_MAX_CPU_ISA");
    if (!value || !*value) return kindred_levels - 1;
    if (strncasecmp(value, "AVX512", 6) == 0 || strcasecmp(value, "ALL") == 0) return 2;
    if (strncasecmp(value, "AVX2", 4) == 0) return 1;
    return 0;
}

// The widest level this CPU runs, within the environment's cap.
static inline int kindred_cpu_level(void) {
    int level = 0;
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) level = 2;
    else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) level = 1;
#endif
    int cap = kindred_level_cap();
    return level < cap ? level : cap;
}

// The widest level at or below the CPU's for which `built[level]` is set (a kernel may lack a
// build for some level); 0, the baseline, is always built.
static inline int kindred_chosen_level(const int built[kindred_levels]) {
    int level = kindred_cpu_level();
    while (level > 0 && !built[level]) level--;
    return level;
}

// Whether a test may run `level`: the CPU runs it and the kernel has a build for it.
static inline int kindred_level_runs(int level, const int built[kindred_levels]) {
    return level >= 0 && level < kindred_levels && level <= kindred_cpu_level() && built[level];
}

#endif
