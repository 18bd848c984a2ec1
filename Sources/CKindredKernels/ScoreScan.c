// The selection scan of Kindred's all-pairs search: after an int8 product, nearly every score
// is below both the querying row's threshold and the candidate row's, and this loop is what
// decides it. Swift compiles for the x86-64 baseline (SSE2, four floats a compare); here the same
// loop is also built for AVX2 and AVX-512 and the widest the CPU runs is picked once.

#include "CKindredKernels.h"
#include "Dispatch.h"

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

// Appends the lanes set in `mask` (positions j + lane, their scores in `lanes`) after the n hits
// so far; returns the new count. The vector scans call it only for the rare groups with a hit.
static inline size_t append_lanes(unsigned mask, size_t j, const float *lanes, uint32_t *hits, float *scores, size_t n) {
    for (; mask; mask &= mask - 1) {
        unsigned lane = (unsigned)__builtin_ctz(mask);
        hits[n] = (uint32_t)(j + lane);
        scores[n++] = lanes[lane];
    }
    return n;
}

// Scans scores j..<count with the baseline after a vector scan found `rows` and `columns` hits
// before j, and returns the totals (the row count; the column count through column_hit_count).
static inline size_t finish_with_baseline(
    size_t j, size_t rows, size_t columns, const float *dots, const float *scales, float query_scale,
    float row_limit, const float *column_limits, size_t count,
    uint32_t *row_hits, float *row_scores, uint32_t *column_hits, float *column_scores, size_t *column_hit_count) {
    size_t tail_columns = 0;
    size_t tail_rows = scan_baseline(
        dots + j, scales + j, query_scale, row_limit, column_limits ? column_limits + j : NULL, count - j,
        row_hits + rows, row_scores + rows, column_hits + columns, column_scores + columns, &tail_columns);
    for (size_t t = 0; t < tail_rows; t++) row_hits[rows + t] += (uint32_t)j;
    for (size_t t = 0; t < tail_columns; t++) column_hits[columns + t] += (uint32_t)j;
    *column_hit_count = columns + tail_columns;
    return rows + tail_rows;
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
            rows = append_lanes(row, j, lanes, row_hits, row_scores, rows);
            columns = append_lanes(column, j, lanes, column_hits, column_scores, columns);
        }
    }
    return finish_with_baseline(j, rows, columns, dots, scales, query_scale, row_limit, column_limits, count,
                                row_hits, row_scores, column_hits, column_scores, column_hit_count);
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
            rows = append_lanes(row, j, lanes, row_hits, row_scores, rows);
            columns = append_lanes(column, j, lanes, column_hits, column_scores, columns);
        }
    }
    return finish_with_baseline(j, rows, columns, dots, scales, query_scale, row_limit, column_limits, count,
                                row_hits, row_scores, column_hits, column_scores, column_hit_count);
}
#endif

#if defined(__x86_64__)
static const scan_function scans[kindred_levels] = {scan_baseline, scan_avx2, scan_avx512};
#else
static const scan_function scans[kindred_levels] = {scan_baseline, 0, 0};
#endif
static const int scans_built[kindred_levels] = {1, scans[1] != 0, scans[2] != 0};
static int chosen = 0;

// Runs before main: the choice is made once, before any thread can call the kernel.
__attribute__((constructor))
static void choose_scan_kernel(void) { chosen = kindred_chosen_level(scans_built); }

size_t kindred_scan_scores(
    const float *dots, const float *scales, float query_scale, float row_limit,
    const float *column_limits, size_t count,
    uint32_t *row_hits, float *row_scores, uint32_t *column_hits, float *column_scores,
    size_t *column_hit_count) {
    return scans[chosen](dots, scales, query_scale, row_limit, column_limits, count,
                         row_hits, row_scores, column_hits, column_scores, column_hit_count);
}

const char *kindred_scan_kernel(void) { return kindred_level_names[chosen]; }

size_t kindred_scan_scores_with(
    int kernel, const float *dots, const float *scales, float query_scale, float row_limit,
    const float *column_limits, size_t count,
    uint32_t *row_hits, float *row_scores, uint32_t *column_hits, float *column_scores,
    size_t *column_hit_count) {
    if (!kindred_level_runs(kernel, scans_built)) return SIZE_MAX;
    return scans[kernel](dots, scales, query_scale, row_limit, column_limits, count,
                         row_hits, row_scores, column_hits, column_scores, column_hit_count);
}
