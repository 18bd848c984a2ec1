// The sparse half of randomized SVD: rows of Y = A·X for a CSR matrix A and a dense row-major X.
// Each output row is a weighted sum of rows of X picked by the row's nonzeros. Swift compiles its
// version for the x86-64 baseline (four floats a register, and the output row reloaded and stored
// at every group of nonzeros); here a block of the output row stays in registers across all of
// the row's nonzeros: 256 floats in sixteen AVX-512 registers, or 96 in twelve AVX2 ones.

#include "CKindredKernels.h"
#include "Dispatch.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

typedef void (*csr_function)(const int64_t *, const int32_t *, const float *, size_t, size_t,
                             const float *, size_t, float *);

static void csr_baseline(
    const int64_t *offsets, const int32_t *indices, const float *values, size_t first, size_t end,
    const float *x, size_t width, float *y) {
    for (size_t i = first; i < end; i++) {
        float *out = y + i * width;
        for (size_t t = 0; t < width; t++) out[t] = 0;
        for (int64_t p = offsets[i]; p < offsets[i + 1]; p++) {
            const float a = values[p], *row = x + (size_t)indices[p] * width;
            for (size_t t = 0; t < width; t++) out[t] += a * row[t];
        }
    }
}

#if defined(__x86_64__)
__attribute__((target("avx512f")))
static void csr_avx512(
    const int64_t *offsets, const int32_t *indices, const float *values, size_t first, size_t end,
    const float *x, size_t width, float *y) {
    for (size_t i = first; i < end; i++) {
        float *out = y + i * width;
        const int64_t from = offsets[i], to = offsets[i + 1];
        size_t t = 0;
        // Blocks of 256 columns: sixteen accumulators, each row of X read once per block.
        for (; t + 256 <= width; t += 256) {
            __m512 acc[16];
            for (int r = 0; r < 16; r++) acc[r] = _mm512_setzero_ps();
            for (int64_t p = from; p < to; p++) {
                const __m512 a = _mm512_set1_ps(values[p]);
                const float *row = x + (size_t)indices[p] * width + t;
                for (int r = 0; r < 16; r++) acc[r] = _mm512_fmadd_ps(a, _mm512_loadu_ps(row + 16 * r), acc[r]);
            }
            for (int r = 0; r < 16; r++) _mm512_storeu_ps(out + t + 16 * r, acc[r]);
        }
        // The rest, sixteen columns (the last ones masked) at a time.
        for (; t < width; t += 16) {
            const __mmask16 mask = width - t >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (width - t)) - 1);
            __m512 acc = _mm512_setzero_ps();
            for (int64_t p = from; p < to; p++) {
                const float *row = x + (size_t)indices[p] * width + t;
                acc = _mm512_fmadd_ps(_mm512_set1_ps(values[p]), _mm512_maskz_loadu_ps(mask, row), acc);
            }
            _mm512_mask_storeu_ps(out + t, mask, acc);
        }
    }
}

__attribute__((target("avx2,fma")))
static void csr_avx2(
    const int64_t *offsets, const int32_t *indices, const float *values, size_t first, size_t end,
    const float *x, size_t width, float *y) {
    for (size_t i = first; i < end; i++) {
        float *out = y + i * width;
        const int64_t from = offsets[i], to = offsets[i + 1];
        size_t t = 0;
        for (; t + 96 <= width; t += 96) {
            __m256 acc[12];
            for (int r = 0; r < 12; r++) acc[r] = _mm256_setzero_ps();
            for (int64_t p = from; p < to; p++) {
                const __m256 a = _mm256_set1_ps(values[p]);
                const float *row = x + (size_t)indices[p] * width + t;
                for (int r = 0; r < 12; r++) acc[r] = _mm256_fmadd_ps(a, _mm256_loadu_ps(row + 8 * r), acc[r]);
            }
            for (int r = 0; r < 12; r++) _mm256_storeu_ps(out + t + 8 * r, acc[r]);
        }
        for (; t + 8 <= width; t += 8) {
            __m256 acc = _mm256_setzero_ps();
            for (int64_t p = from; p < to; p++) {
                const float *row = x + (size_t)indices[p] * width + t;
                acc = _mm256_fmadd_ps(_mm256_set1_ps(values[p]), _mm256_loadu_ps(row), acc);
            }
            _mm256_storeu_ps(out + t, acc);
        }
        for (; t < width; t++) {
            float sum = 0;
            for (int64_t p = from; p < to; p++) sum = __builtin_fmaf(values[p], x[(size_t)indices[p] * width + t], sum);
            out[t] = sum;
        }
    }
}
#endif

#if defined(__x86_64__)
static const csr_function kernels[kindred_levels] = {csr_baseline, csr_avx2, csr_avx512};
#else
static const csr_function kernels[kindred_levels] = {csr_baseline, 0, 0};
#endif
static const int built[kindred_levels] = {1, kernels[1] != 0, kernels[2] != 0};
static int chosen = 0;

__attribute__((constructor))
static void choose_csr_kernel(void) { chosen = kindred_chosen_level(built); }

void kindred_csr_times_dense(
    const int64_t *offsets, const int32_t *indices, const float *values, size_t first_row, size_t end_row,
    const float *x, size_t width, float *y) {
    kernels[chosen](offsets, indices, values, first_row, end_row, x, width, y);
}

int kindred_csr_times_dense_with(
    int kernel, const int64_t *offsets, const int32_t *indices, const float *values, size_t first_row,
    size_t end_row, const float *x, size_t width, float *y) {
    if (!kindred_level_runs(kernel, built)) return 0;
    kernels[kernel](offsets, indices, values, first_row, end_row, x, width, y);
    return 1;
}
