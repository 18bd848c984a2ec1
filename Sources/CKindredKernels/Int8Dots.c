// Exact int8 dot products for the candidate stage on CPUs where oneDNN's int8 product is not
// exact: without VNNI, oneDNN 2.6 multiplies s8 × s8 on AVX2 with vpmaddubsw on the query shifted
// to unsigned (q + 128), whose 16-bit pair sums saturate (255 · 127 · 2 > 32,767).
//
// Kindred's codes lie in −127…127 (QuantizedRows never makes −128), which allows the sign
// trick: q · r = |q| · (sign(q) · r), so vpmaddubsw gets |q| as its unsigned operand and
// vpsignb(r, q) as its signed one. Each pair sum is then at most 2 · 127 · 127 = 32,258, which
// fits 16 bits, and vpmaddwd with ones widens the pairs to 32-bit sums: every product exact.
// Four instructions per 32 multiply-adds, what AVX2's FMA does in Float per instruction, on a
// quarter of the bytes: a single query, which is memory-bound, reads a quarter of what `sgemv`
// reads. docs/performance.md (*Exact search*) has both against BLAS on the avx2 class.

#include "CKindredKernels.h"
#include "Dispatch.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

typedef void (*dots_function)(const int8_t *, size_t, const int8_t *, size_t, size_t, float *);

// The reference, and the kernel on CPUs without AVX2.
static void dots_baseline(
    const int8_t *queries, size_t count, const int8_t *rows, size_t width, size_t columns, float *out) {
    for (size_t i = 0; i < count; i++) {
        const int8_t *q = queries + i * columns;
        for (size_t j = 0; j < width; j++) {
            const int8_t *r = rows + j * columns;
            int32_t sum = 0;
            for (size_t c = 0; c < columns; c++) sum += (int32_t)q[c] * (int32_t)r[c];
            out[i * width + j] = (float)sum;
        }
    }
}

#if defined(__x86_64__)
// Rows per block: a block's codes (16 KB at 256 dimensions) stay in L1 while every query of the
// call passes over them.
enum { row_block = 64 };

// Adds the products of one query chunk with one row chunk, 32 codes each, to `sum`.
__attribute__((target("avx2"), always_inline))
static inline __m256i accumulate(__m256i sum, __m256i magnitude, __m256i query, __m256i row, __m256i ones) {
    return _mm256_add_epi32(sum, _mm256_madd_epi16(_mm256_maddubs_epi16(magnitude, _mm256_sign_epi8(row, query)), ones));
}

// The four totals of four accumulators, as floats.
__attribute__((target("avx2"), always_inline))
static inline __m128 totals4(__m256i a, __m256i b, __m256i c, __m256i d) {
    const __m256i sums = _mm256_hadd_epi32(_mm256_hadd_epi32(a, b), _mm256_hadd_epi32(c, d));
    return _mm_cvtepi32_ps(_mm_add_epi32(_mm256_castsi256_si128(sums), _mm256_extracti128_si256(sums, 1)));
}

__attribute__((target("avx2"), always_inline))
static inline int32_t total(__m256i a) {
    const __m128i half = _mm_add_epi32(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1));
    const __m128i quarter = _mm_add_epi32(half, _mm_shuffle_epi32(half, 0x4E));
    return _mm_cvtsi128_si32(_mm_add_epi32(quarter, _mm_shuffle_epi32(quarter, 0xB1)));
}

// The columns past the last whole chunk of 32, added the plain way.
static inline int32_t tail(const int8_t *q, const int8_t *r, size_t from, size_t columns) {
    int32_t sum = 0;
    for (size_t c = from; c < columns; c++) sum += (int32_t)q[c] * (int32_t)r[c];
    return sum;
}

// Stores one query's totals against the four rows from `r0` on, the columns past `whole` (the
// last whole chunk of 32) added the plain way.
__attribute__((target("avx2"), always_inline))
static inline void store_four(float *out, __m128 totals, const int8_t *q, const int8_t *r0, size_t whole, size_t columns) {
    if (whole < columns) {
        const int8_t *r1 = r0 + columns, *r2 = r1 + columns, *r3 = r2 + columns;
        totals = _mm_add_ps(totals, _mm_cvtepi32_ps(_mm_setr_epi32(
            tail(q, r0, whole, columns), tail(q, r1, whole, columns), tail(q, r2, whole, columns),
            tail(q, r3, whole, columns))));
    }
    _mm_storeu_ps(out, totals);
}

// `queries_in_group` (1 or 2, a constant after inlining) queries against rows j..<j + 4.
__attribute__((target("avx2"), always_inline))
static inline void group_of_four(
    const int8_t *q0, const int8_t *q1, int queries_in_group, const int8_t *rows, size_t j, size_t columns,
    float *out0, float *out1) {
    const __m256i ones = _mm256_set1_epi16(1);
    const size_t whole = columns & ~(size_t)31;
    const int8_t *r0 = rows + j * columns, *r1 = r0 + columns, *r2 = r1 + columns, *r3 = r2 + columns;
    __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
    for (size_t c = 0; c < whole; c += 32) {
        const __m256i x0 = _mm256_loadu_si256((const __m256i *)(r0 + c));
        const __m256i x1 = _mm256_loadu_si256((const __m256i *)(r1 + c));
        const __m256i x2 = _mm256_loadu_si256((const __m256i *)(r2 + c));
        const __m256i x3 = _mm256_loadu_si256((const __m256i *)(r3 + c));
        const __m256i p = _mm256_loadu_si256((const __m256i *)(q0 + c)), m = _mm256_abs_epi8(p);
        a0 = accumulate(a0, m, p, x0, ones);
        a1 = accumulate(a1, m, p, x1, ones);
        a2 = accumulate(a2, m, p, x2, ones);
        a3 = accumulate(a3, m, p, x3, ones);
        if (queries_in_group == 2) {
            const __m256i s = _mm256_loadu_si256((const __m256i *)(q1 + c)), n = _mm256_abs_epi8(s);
            b0 = accumulate(b0, n, s, x0, ones);
            b1 = accumulate(b1, n, s, x1, ones);
            b2 = accumulate(b2, n, s, x2, ones);
            b3 = accumulate(b3, n, s, x3, ones);
        }
    }
    store_four(out0 + j, totals4(a0, a1, a2, a3), q0, r0, whole, columns);
    if (queries_in_group == 2) store_four(out1 + j, totals4(b0, b1, b2, b3), q1, r0, whole, columns);
}

// One query against one row (the last rows of a block of fewer than four).
__attribute__((target("avx2")))
static float single(const int8_t *q, const int8_t *r, size_t columns) {
    const __m256i ones = _mm256_set1_epi16(1);
    const size_t whole = columns & ~(size_t)31;
    __m256i sum = _mm256_setzero_si256();
    for (size_t c = 0; c < whole; c += 32) {
        const __m256i p = _mm256_loadu_si256((const __m256i *)(q + c));
        sum = accumulate(sum, _mm256_abs_epi8(p), p, _mm256_loadu_si256((const __m256i *)(r + c)), ones);
    }
    return (float)(total(sum) + tail(q, r, whole, columns));
}

// Blocks of rows, each passed over by every query, two queries at a time (each row chunk loaded
// once for both) and four rows at a time (each query chunk and its magnitude for four rows).
__attribute__((target("avx2")))
static void dots_avx2(
    const int8_t *queries, size_t count, const int8_t *rows, size_t width, size_t columns, float *out) {
    for (size_t from = 0; from < width; from += row_block) {
        const size_t to = from + row_block < width ? from + row_block : width;
        size_t i = 0;
        for (; i + 2 <= count; i += 2) {
            const int8_t *q0 = queries + i * columns, *q1 = q0 + columns;
            float *out0 = out + i * width, *out1 = out0 + width;
            size_t j = from;
            for (; j + 4 <= to; j += 4) group_of_four(q0, q1, 2, rows, j, columns, out0, out1);
            for (; j < to; j++) {
                out0[j] = single(q0, rows + j * columns, columns);
                out1[j] = single(q1, rows + j * columns, columns);
            }
        }
        if (i < count) {
            const int8_t *q0 = queries + i * columns;
            float *out0 = out + i * width;
            size_t j = from;
            for (; j + 4 <= to; j += 4) group_of_four(q0, q0, 1, rows, j, columns, out0, out0);
            for (; j < to; j++) out0[j] = single(q0, rows + j * columns, columns);
        }
    }
}
#endif

// Listed rows, scattered through the codes (a filter's rows): each row's codes requested a few
// rows ahead of its product, so that the reads overlap instead of queueing one by one.
enum { gather_ahead = 8 };

static inline void prefetch_codes(const int8_t *row, size_t columns) {
    for (size_t c = 0; c < columns; c += 64) __builtin_prefetch(row + c, 0, 0);
}

static void gathered_baseline(
    const int8_t *query, const int8_t *codes, const int32_t *rows, size_t count, size_t columns, float *out) {
    for (size_t j = 0; j < count; j++) {
        if (j + gather_ahead < count) prefetch_codes(codes + (size_t)rows[j + gather_ahead] * columns, columns);
        dots_baseline(query, 1, codes + (size_t)rows[j] * columns, 1, columns, out + j);
    }
}

#if defined(__x86_64__)
__attribute__((target("avx2")))
static void gathered_avx2(
    const int8_t *query, const int8_t *codes, const int32_t *rows, size_t count, size_t columns, float *out) {
    for (size_t j = 0; j < count; j++) {
        if (j + gather_ahead < count) prefetch_codes(codes + (size_t)rows[j + gather_ahead] * columns, columns);
        out[j] = single(query, codes + (size_t)rows[j] * columns, columns);
    }
}
#endif

typedef void (*gathered_function)(const int8_t *, const int8_t *, const int32_t *, size_t, size_t, float *);

#if defined(__x86_64__)
static const dots_function kernels[kindred_levels] = {dots_baseline, dots_avx2, 0};
#else
static const dots_function kernels[kindred_levels] = {dots_baseline, 0, 0};
#endif
#if defined(__x86_64__)
static const gathered_function gathered[kindred_levels] = {gathered_baseline, gathered_avx2, 0};
#else
static const gathered_function gathered[kindred_levels] = {gathered_baseline, 0, 0};
#endif
static const int built[kindred_levels] = {1, kernels[1] != 0, kernels[2] != 0};
static int chosen = 0;

__attribute__((constructor))
static void choose_dots_kernel(void) { chosen = kindred_chosen_level(built); }

void kindred_int8_dots(
    const int8_t *queries, size_t count, const int8_t *rows, size_t width, size_t columns, float *out) {
    kernels[chosen](queries, count, rows, width, columns, out);
}

int kindred_int8_dots_with(
    int kernel, const int8_t *queries, size_t count, const int8_t *rows, size_t width, size_t columns, float *out) {
    if (!kindred_level_runs(kernel, built)) return 0;
    kernels[kernel](queries, count, rows, width, columns, out);
    return 1;
}

void kindred_int8_dots_gathered(
    const int8_t *query, const int8_t *codes, const int32_t *rows, size_t count, size_t columns, float *out) {
    gathered[chosen](query, codes, rows, count, columns, out);
}

int kindred_int8_dots_gathered_with(
    int kernel, const int8_t *query, const int8_t *codes, const int32_t *rows, size_t count, size_t columns,
    float *out) {
    if (!kindred_level_runs(kernel, built)) return 0;
    gathered[kernel](query, codes, rows, count, columns, out);
    return 1;
}

const char *kindred_int8_dots_kernel(void) { return kindred_level_names[chosen]; }

int kindred_cpu_int8_features(void) {
    int features = 0;
#if defined(__x86_64__)
    unsigned a, b, c, d;
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __get_cpuid_count(7, 0, &a, &b, &c, &d)) {
        if (c & (1u << 11)) features |= kindred_cpu_avx512_vnni;
        if (d & (1u << 25)) features |= kindred_cpu_amx_int8;
    }
    if (__builtin_cpu_supports("avx2") && __get_cpuid_count(7, 1, &a, &b, &c, &d) && (a & (1u << 4)))
        features |= kindred_cpu_avx_vnni;
#endif
    return features;
}

int kindred_cpu_level_in_effect(void) { return kindred_cpu_level(); }
