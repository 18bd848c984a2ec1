// How each kernel in this target picks the build the CPU runs. Not part of the module's interface.
#ifndef KINDRED_DISPATCH_H
#define KINDRED_DISPATCH_H

// Builds of a kernel, by level: 0 the baseline, 1 AVX2 with FMA, 2 AVX-512.
enum { kindred_levels = 3 };
static const char *const kindred_level_names[kindred_levels] = {"baseline", "avx2", "avx512"};

// The widest level this CPU runs.
static inline int kindred_cpu_level(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return 2;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 1;
#endif
    return 0;
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
