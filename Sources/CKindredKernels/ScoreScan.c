// The selection scan of Kindred's all-pairs search: after an int8 product, nearly every score
// is below both the querying row's threshold and the candidate row's, and this loop is what
// decides it. Swift compiles for the x86-64 baseline (SSE2, four floats a compare); here the same
// loop is also built for AVX2 and AVX-512 and the widest the CPU runs is picked once.

#include "CKindredKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

typedef size_t (*scan_function)(const float *, const float *, float, float, const float *, size_t,
                                uint32_t *, float *, uint32_t *, float *, size_t *);

// The reference: also the tail of the vector versions and the kernel on other CPUs.
static size_t scan_baseline(
    const float *dots, const float *scales, float query_scale, float row_limit,
    const float *column_limits, size_t count,
    uint32_t *row_hits, float *row_scores, uint32_t *column_hits, float *column_scores,
    size_t *column_hit_count) {
    size_t rows = 0, columns = 0;
    for (size_t j = 0; j < count; j++) {
        float score = dots[j] * scales[j] * query_scale;
        if (score >= row_limit) { row_hits[rows] = (uint32_t)j; row_scores[rows++] = score; }
        if (column_limits && score >= column_limits[j]) {
            column_hits[columns] = (uint32_t)j; column_scores[columns++] = score;
        }
    }
    *column_hit_count = columns;
    return rows;
}

#if defined(__x86_64__)
__attribute__((target("avx512f")))
static size_t scan_avx512(
    const float *dots, const float *scales, float query_scale, float row_limit,
    const float *column_limits, size_t count,
    uint32_t *row_hits, float *row_scores, uint32_t *column_hits, float *column_scores,
    size_t *column_hit_count) {
    const __m512 q = _mm512_set1_ps(query_scale), limit = _mm512_set1_ps(row_limit);
    size_t rows = 0, columns = 0, j = 0;
    for (; j + 16 <= count; j += 16) {
        // The same two products, in the same order, as the baseline: equal scores either way.
        __m512 score = _mm512_mul_ps(_mm512_mul_ps(_mm512_loadu_ps(dots + j), _mm512_loadu_ps(scales + j)), q);
        __mmask16 row = _mm512_cmp_ps_mask(score, limit, _CMP_GE_OQ);
        __mmask16 column = column_limits
            ? _mm512_cmp_ps_mask(score, _mm512_loadu_ps(column_limits + j), _CMP_GE_OQ) : 0;
        if (__builtin_expect((row | column) != 0, 0)) {
            float lanes[16];
            _mm512_storeu_ps(lanes, score);
            for (unsigned m = row; m; m &= m - 1) {
                unsigned lane = (unsigned)__builtin_ctz(m);
                row_hits[rows] = (uint32_t)(j + lane); row_scores[rows++] = lanes[lane];
            }
            for (unsigned m = column; m; m &= m - 1) {
                unsigned lane = (unsigned)__builtin_ctz(m);
                column_hits[columns] = (uint32_t)(j + lane); column_scores[columns++] = lanes[lane];
            }
        }
    }
    size_t tail_columns = 0;
    size_t tail_rows = scan_baseline(
        dots + j, scales + j, query_scale, row_limit, column_limits ? column_limits + j : NULL, count - j,
        row_hits + rows, row_scores + rows, column_hits + columns, column_scores + columns, &tail_columns);
    for (size_t t = 0; t < tail_rows; t++) row_hits[rows + t] += (uint32_t)j;
    for (size_t t = 0; t < tail_columns; t++) column_hits[columns + t] += (uint32_t)j;
    *column_hit_count = columns + tail_columns;
    return rows + tail_rows;
}

__attribute__((target("avx2")))
static size_t scan_avx2(
    const float *dots, const float *scales, float query_scale, float row_limit,
    const float *column_limits, size_t count,
    uint32_t *row_hits, float *row_scores, uint32_t *column_hits, float *column_scores,
    size_t *column_hit_count) {
    const __m256 q = _mm256_set1_ps(query_scale), limit = _mm256_set1_ps(row_limit);
    size_t rows = 0, columns = 0, j = 0;
    for (; j + 8 <= count; j += 8) {
        __m256 score = _mm256_mul_ps(_mm256_mul_ps(_mm256_loadu_ps(dots + j), _mm256_loadu_ps(scales + j)), q);
        unsigned row = (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(score, limit, _CMP_GE_OQ));
        unsigned column = column_limits
            ? (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(score, _mm256_loadu_ps(column_limits + j), _CMP_GE_OQ)) : 0;
        if (__builtin_expect((row | column) != 0, 0)) {
            float lanes[8];
            _mm256_storeu_ps(lanes, score);
            for (unsigned m = row; m; m &= m - 1) {
                unsigned lane = (unsigned)__builtin_ctz(m);
                row_hits[rows] = (uint32_t)(j + lane); row_scores[rows++] = lanes[lane];
            }
            for (unsigned m = column; m; m &= m - 1) {
                unsigned lane = (unsigned)__builtin_ctz(m);
                column_hits[columns] = (uint32_t)(j + lane); column_scores[columns++] = lanes[lane];
            }
        }
    }
    size_t tail_columns = 0;
    size_t tail_rows = scan_baseline(
        dots + j, scales + j, query_scale, row_limit, column_limits ? column_limits + j : NULL, count - j,
        row_hits + rows, row_scores + rows, column_hits + columns, column_scores + columns, &tail_columns);
    for (size_t t = 0; t < tail_rows; t++) row_hits[rows + t] += (uint32_t)j;
    for (size_t t = 0; t < tail_columns; t++) column_hits[columns + t] += (uint32_t)j;
    *column_hit_count = columns + tail_columns;
    return rows + tail_rows;
}
#endif

static scan_function chosen = scan_baseline;
static const char *chosen_name = "baseline";

// Runs before main: the choice is made once, before any thread can call the kernel.
__attribute__((constructor))
static void choose_scan_kernel(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) {
        chosen = scan_avx512; chosen_name = "avx512";
    } else if (__builtin_cpu_supports("avx2")) {
        chosen = scan_avx2; chosen_name = "avx2";
    }
#endif
}

size_t kindred_scan_scores(
    const float *dots, const float *scales, float query_scale, float row_limit,
    const float *column_limits, size_t count,
    uint32_t *row_hits, float *row_scores, uint32_t *column_hits, float *column_scores,
    size_t *column_hit_count) {
    return chosen(dots, scales, query_scale, row_limit, column_limits, count,
                  row_hits, row_scores, column_hits, column_scores, column_hit_count);
}

const char *kindred_scan_kernel(void) { return chosen_name; }

size_t kindred_scan_scores_with(
    int kernel, const float *dots, const float *scales, float query_scale, float row_limit,
    const float *column_limits, size_t count,
    uint32_t *row_hits, float *row_scores, uint32_t *column_hits, float *column_scores,
    size_t *column_hit_count) {
    scan_function function = scan_baseline;
#if defined(__x86_64__)
    if (kernel == 2) {
        if (!__builtin_cpu_supports("avx512f")) return SIZE_MAX;
        function = scan_avx512;
    } else if (kernel == 1) {
        if (!__builtin_cpu_supports("avx2")) return SIZE_MAX;
        function = scan_avx2;
    }
#else
    if (kernel != 0) return SIZE_MAX;
#endif
    return function(dots, scales, query_scale, row_limit, column_limits, count,
                    row_hits, row_scores, column_hits, column_scores, column_hit_count);
}
