// Selection of the k highest of a small buffer of candidate scores, the step that keeps an
// all-pairs search's candidate lists at their length. Quickselect's partition compares every
// score with a pivot and branches on the answer, which for random scores a CPU guesses wrong half
// the time; with AVX-512 each block of sixteen scores is split by a mask and compressed to its
// side without a branch. Same contract either way: afterwards the first k positions hold the k
// highest scores (ties at the cut in no defined order), their indices moved with them.

#include <stdlib.h>
#include <string.h>
#include "CKindredKernels.h"
#include "Dispatch.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

typedef void (*partition_function)(const float *, const int32_t *, size_t, float,
                                   float *, int32_t *, size_t *, int32_t *, size_t *, float *, int32_t *, size_t *);

// Splits n scores into those above the pivot, those equal to it (indices only) and those below.
static void partition_baseline(
    const float *scores, const int32_t *indices, size_t n, float pivot,
    float *above, int32_t *above_indices, size_t *above_count, int32_t *equal_indices, size_t *equal_count,
    float *below, int32_t *below_indices, size_t *below_count) {
    size_t a = 0, e = 0, b = 0;
    for (size_t p = 0; p < n; p++) {
        const float s = scores[p];
        if (s > pivot) { above[a] = s; above_indices[a++] = indices[p]; }
        else if (s < pivot) { below[b] = s; below_indices[b++] = indices[p]; }
        else equal_indices[e++] = indices[p];
    }
    *above_count = a; *equal_count = e; *below_count = b;
}

#if defined(__x86_64__)
__attribute__((target("avx512f,popcnt")))
static void partition_avx512(
    const float *scores, const int32_t *indices, size_t n, float pivot,
    float *above, int32_t *above_indices, size_t *above_count, int32_t *equal_indices, size_t *equal_count,
    float *below, int32_t *below_indices, size_t *below_count) {
    const __m512 p = _mm512_set1_ps(pivot);
    size_t a = 0, e = 0, b = 0;
    for (size_t i = 0; i < n; i += 16) {
        const __mmask16 valid = n - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - i)) - 1);
        const __m512 s = _mm512_maskz_loadu_ps(valid, scores + i);
        const __m512i x = _mm512_maskz_loadu_epi32(valid, indices + i);
        const __mmask16 gt = _mm512_mask_cmp_ps_mask(valid, s, p, _CMP_GT_OQ);
        const __mmask16 lt = _mm512_mask_cmp_ps_mask(valid, s, p, _CMP_LT_OQ);
        const __mmask16 eq = valid & (__mmask16)~(gt | lt);
        _mm512_mask_compressstoreu_ps(above + a, gt, s);
        _mm512_mask_compressstoreu_epi32(above_indices + a, gt, x);
        _mm512_mask_compressstoreu_ps(below + b, lt, s);
        _mm512_mask_compressstoreu_epi32(below_indices + b, lt, x);
        _mm512_mask_compressstoreu_epi32(equal_indices + e, eq, x);
        a += (size_t)__builtin_popcount(gt);
        b += (size_t)__builtin_popcount(lt);
        e += (size_t)__builtin_popcount(eq);
    }
    *above_count = a; *equal_count = e; *below_count = b;
}
#endif

#if defined(__x86_64__)
static const partition_function partitions[kindred_levels] = {partition_baseline, 0, partition_avx512};
#else
static const partition_function partitions[kindred_levels] = {partition_baseline, 0, 0};
#endif
static const int built[kindred_levels] = {1, partitions[1] != 0, partitions[2] != 0};
static int chosen = 0;

__attribute__((constructor))
static void choose_partition_kernel(void) { chosen = kindred_chosen_level(built); }

static void select_top(partition_function partition, float *scores, int32_t *indices, size_t count, size_t k) {
    if (k == 0 || k >= count) return;
    enum { stack_limit = 1024 };
    float stack_scores[2 * stack_limit];
    int32_t stack_indices[3 * stack_limit];
    float *heap_scores = NULL;
    int32_t *heap_indices = NULL;
    float *above = stack_scores, *below = stack_scores + stack_limit;
    int32_t *above_indices = stack_indices, *below_indices = stack_indices + stack_limit,
            *equal_indices = stack_indices + 2 * stack_limit;
    if (count > stack_limit) {
        heap_scores = malloc(2 * count * sizeof(float));
        heap_indices = malloc(3 * count * sizeof(int32_t));
        if (!heap_scores || !heap_indices) {
            // Out of memory for scratch: a plain partial selection sort, in place.
            for (size_t i = 0; i < k; i++) {
                size_t best = i;
                for (size_t j = i + 1; j < count; j++) if (scores[j] > scores[best]) best = j;
                float s = scores[i]; scores[i] = scores[best]; scores[best] = s;
                int32_t x = indices[i]; indices[i] = indices[best]; indices[best] = x;
            }
            free(heap_scores); free(heap_indices);
            return;
        }
        above = heap_scores; below = heap_scores + count;
        above_indices = heap_indices; below_indices = heap_indices + count; equal_indices = heap_indices + 2 * count;
    }
    size_t low = 0, high = count;  // the cut at k lies in [low, high)
    while (high - low > 1) {
        const size_t n = high - low;
        // Median of three as the pivot.
        float x = scores[low], y = scores[low + n / 2], z = scores[high - 1];
        float pivot = x > y ? (y > z ? y : (x > z ? z : x)) : (x > z ? x : (y > z ? z : y));
        size_t a, e, b;
        partition(scores + low, indices + low, n, pivot,
                  above, above_indices, &a, equal_indices, &e, below, below_indices, &b);
        memcpy(scores + low, above, a * sizeof(float));
        memcpy(indices + low, above_indices, a * sizeof(int32_t));
        for (size_t i = 0; i < e; i++) { scores[low + a + i] = pivot; indices[low + a + i] = equal_indices[i]; }
        memcpy(scores + low + a + e, below, b * sizeof(float));
        memcpy(indices + low + a + e, below_indices, b * sizeof(int32_t));
        if (k <= low + a) high = low + a;               // the cut falls among the higher scores
        else if (k <= low + a + e) break;               // among scores equal to the pivot: done
        else low = low + a + e;                         // among the lower scores
    }
    free(heap_scores); free(heap_indices);
}

void kindred_select_top(float *scores, int32_t *indices, size_t count, size_t k) {
    select_top(partitions[chosen], scores, indices, count, k);
}

int kindred_select_top_with(int kernel, float *scores, int32_t *indices, size_t count, size_t k) {
    if (!kindred_level_runs(kernel, built)) return 0;
    select_top(partitions[kernel], scores, indices, count, k);
    return 1;
}
