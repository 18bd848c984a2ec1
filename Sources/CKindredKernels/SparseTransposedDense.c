// The other sparse half of randomized SVD: rows of Y = Aᵀ·X for a CSR matrix A, without forming
// Aᵀ. Each row i of A adds a_ij·X[i, :] to Y[j, :] for its nonzeros j. A worker owns a range of
// Y's rows (A's columns) and finds, in each row of A, the nonzeros that fall in it by binary
// search (a row's columns are sorted), so workers never write the same row and each Y row sums
// its terms in row order: the same additions, in the same order, as multiplying a transposed
// copy (CSRMatrix.transposed) with SparseDense.c, and so the same result to the bit. The copy
// is what this saves: 8 bytes a nonzero.
//
// X's row is read once per row of A and worker; Y's rows are read and written once per nonzero,
// which costs little where the columns follow Zipf's law (the frequent terms' rows stay in cache).
//
// An optional scale per row of A (row_scales, NULL for none) makes it Aᵀ·diag(s)·X: a model's
// term vectors are formed from its normalised article vectors and their lengths that way, without
// a copy of either (ModelBuilder.termVectors).

#include "CKindredKernels.h"
#include "Dispatch.h"

#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

typedef void (*csrt_function)(const float *, float *, float, size_t);

// y += a·x over `width` floats, each element by one fused multiply-add where the kernel has them
// (as SparseDense.c's kernels do), so that the sums match its.
static void axpy_baseline(const float *x, float *y, float a, size_t width) {
    for (size_t t = 0; t < width; t++) y[t] += a * x[t];
}

#if defined(__x86_64__)
__attribute__((target("avx512f")))
static void axpy_avx512(const float *x, float *y, float a, size_t width) {
    const __m512 scale = _mm512_set1_ps(a);
    size_t t = 0;
    for (; t + 16 <= width; t += 16) {
        _mm512_storeu_ps(y + t, _mm512_fmadd_ps(scale, _mm512_loadu_ps(x + t), _mm512_loadu_ps(y + t)));
    }
    if (t < width) {
        const __mmask16 mask = (__mmask16)((1u << (width - t)) - 1);
        _mm512_mask_storeu_ps(
            y + t, mask, _mm512_fmadd_ps(scale, _mm512_maskz_loadu_ps(mask, x + t), _mm512_maskz_loadu_ps(mask, y + t)));
    }
}

__attribute__((target("avx2,fma")))
static void axpy_avx2(const float *x, float *y, float a, size_t width) {
    const __m256 scale = _mm256_set1_ps(a);
    size_t t = 0;
    for (; t + 8 <= width; t += 8) {
        _mm256_storeu_ps(y + t, _mm256_fmadd_ps(scale, _mm256_loadu_ps(x + t), _mm256_loadu_ps(y + t)));
    }
    for (; t < width; t++) y[t] = __builtin_fmaf(a, x[t], y[t]);
}
static const csrt_function kernels[kindred_levels] = {axpy_baseline, axpy_avx2, axpy_avx512};
#else
static const csrt_function kernels[kindred_levels] = {axpy_baseline, 0, 0};
#endif
static const int built[kindred_levels] = {1, kernels[1] != 0, kernels[2] != 0};
static int chosen = 0;

__attribute__((constructor))
static void choose_csrt_kernel(void) { chosen = kindred_chosen_level(built); }

static void transposed_product(
    csrt_function axpy, const int64_t *offsets, const int32_t *indices, const float *values, const float *row_scales,
    size_t rows, const float *x, size_t width, float *y, size_t first_column, size_t end_column) {
    memset(y + first_column * width, 0, (end_column - first_column) * width * sizeof(float));
    for (size_t i = 0; i < rows; i++) {
        int64_t low = offsets[i], high = offsets[i + 1];
        // The row's first nonzero at or past first_column.
        while (low < high) {
            const int64_t middle = low + (high - low) / 2;
            if ((size_t)indices[middle] < first_column) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        const float *row = x + i * width;
        const float scale = row_scales ? row_scales[i] : 1.0f;
        if (scale == 0.0f) continue;
        for (int64_t p = low; p < offsets[i + 1] && (size_t)indices[p] < end_column; p++) {
            axpy(row, y + (size_t)indices[p] * width, row_scales ? values[p] * scale : values[p], width);
        }
    }
}

void kindred_csr_transposed_times_dense(
    const int64_t *offsets, const int32_t *indices, const float *values, const float *row_scales, size_t rows,
    const float *x, size_t width, float *y, size_t first_column, size_t end_column) {
    transposed_product(
        kernels[chosen], offsets, indices, values, row_scales, rows, x, width, y, first_column, end_column);
}

int kindred_csr_transposed_times_dense_with(
    int kernel, const int64_t *offsets, const int32_t *indices, const float *values, const float *row_scales,
    size_t rows, const float *x, size_t width, float *y, size_t first_column, size_t end_column) {
    if (!kindred_level_runs(kernel, built)) return 0;
    transposed_product(
        kernels[kernel], offsets, indices, values, row_scales, rows, x, width, y, first_column, end_column);
    return 1;
}
