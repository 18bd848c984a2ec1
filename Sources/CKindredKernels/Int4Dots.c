// Dot products of one int8 query with rows of 4-bit codes: the approximate index's scan
// (ListScan). A probed list is read once per query from memory, so the scan runs at memory
// speed; 4-bit codes halve the bytes of the int8 ones (128 instead of 256 a row at 256
// dimensions) and with them the time. Candidates are rescored in Float afterwards.
//
// A row's codes c lie in −7…7 and are stored as u = c + 8 (1…15), two to a byte: in each run
// of 32 bytes, byte b holds dimension 64k + b in its low half and 64k + 32 + b in its high half
// (k the run), so that one AND and one shift unpack 32 codes of consecutive dimensions. Then
// q · c = q · u − 8 · Σq, and q · u is what vpmaddubsw computes with u as its unsigned operand:
// each pair sum is at most 2 · 15 · 127 = 3,810 in magnitude, so eight of them (256 dimensions)
// add up in 16 bits without overflow before vpmaddwd widens them.

#include "CKindredKernels.h"
#include "Dispatch.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

typedef void (*int4_function)(const int8_t *, const uint8_t *, size_t, size_t, float *);

// The sum of the query's codes, for the offset of the stored codes.
static int32_t query_sum(const int8_t *query, size_t columns) {
    int32_t sum = 0;
    for (size_t c = 0; c < columns; c++) sum += query[c];
    return sum;
}

// The reference, and the kernel on CPUs without AVX2.
static void int4_baseline(const int8_t *query, const uint8_t *rows, size_t width, size_t columns, float *out) {
    const size_t bytes = columns / 2;
    const int32_t offset = 8 * query_sum(query, columns);
    for (size_t j = 0; j < width; j++) {
        const uint8_t *r = rows + j * bytes;
        int32_t sum = 0;
        for (size_t run = 0; run < columns / 64; run++) {
            for (size_t b = 0; b < 32; b++) {
                const uint8_t packed = r[run * 32 + b];
                sum += (int32_t)query[run * 64 + b] * (packed & 15) + (int32_t)query[run * 64 + 32 + b] * (packed >> 4);
            }
        }
        out[j] = (float)(sum - offset);
    }
}

#if defined(__x86_64__)
// Runs of 64 dimensions whose 16-bit pair sums may add up before widening: 2 · 4 · 3,810 < 32,767.
enum { runs_per_widening = 4 };

// The 16-bit pair sums of one run of a row against the query's two halves of that run.
__attribute__((target("avx2"), always_inline))
static inline __m256i run_sums(const uint8_t *packed, __m256i low_query, __m256i high_query) {
    const __m256i nibble = _mm256_set1_epi8(15);
    const __m256i codes = _mm256_loadu_si256((const __m256i *)packed);
    const __m256i low = _mm256_and_si256(codes, nibble);
    const __m256i high = _mm256_and_si256(_mm256_srli_epi16(codes, 4), nibble);
    return _mm256_add_epi16(_mm256_maddubs_epi16(low, low_query), _mm256_maddubs_epi16(high, high_query));
}

// Four rows at a time: each run of the query is loaded once for the four.
__attribute__((target("avx2")))
static void int4_avx2(const int8_t *query, const uint8_t *rows, size_t width, size_t columns, float *out) {
    const size_t bytes = columns / 2, runs = columns / 64;
    const __m256i ones = _mm256_set1_epi16(1);
    const __m128i offset = _mm_set1_epi32(8 * query_sum(query, columns));
    size_t j = 0;
    for (; j + 4 <= width; j += 4) {
        const uint8_t *r0 = rows + j * bytes, *r1 = r0 + bytes, *r2 = r1 + bytes, *r3 = r2 + bytes;
        __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
        for (size_t from = 0; from < runs; from += runs_per_widening) {
            const size_t to = from + runs_per_widening < runs ? from + runs_per_widening : runs;
            __m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0;
            for (size_t run = from; run < to; run++) {
                const __m256i lq = _mm256_loadu_si256((const __m256i *)(query + run * 64));
                const __m256i hq = _mm256_loadu_si256((const __m256i *)(query + run * 64 + 32));
                s0 = _mm256_add_epi16(s0, run_sums(r0 + run * 32, lq, hq));
                s1 = _mm256_add_epi16(s1, run_sums(r1 + run * 32, lq, hq));
                s2 = _mm256_add_epi16(s2, run_sums(r2 + run * 32, lq, hq));
                s3 = _mm256_add_epi16(s3, run_sums(r3 + run * 32, lq, hq));
            }
            a0 = _mm256_add_epi32(a0, _mm256_madd_epi16(s0, ones));
            a1 = _mm256_add_epi32(a1, _mm256_madd_epi16(s1, ones));
            a2 = _mm256_add_epi32(a2, _mm256_madd_epi16(s2, ones));
            a3 = _mm256_add_epi32(a3, _mm256_madd_epi16(s3, ones));
        }
        const __m256i sums = _mm256_hadd_epi32(_mm256_hadd_epi32(a0, a1), _mm256_hadd_epi32(a2, a3));
        const __m128i totals = _mm_add_epi32(_mm256_castsi256_si128(sums), _mm256_extracti128_si256(sums, 1));
        _mm_storeu_ps(out + j, _mm_cvtepi32_ps(_mm_sub_epi32(totals, offset)));
    }
    if (j < width) int4_baseline(query, rows + j * bytes, width - j, columns, out + j);
}
#endif

#if defined(__x86_64__)
static const int4_function int4_kernels[kindred_levels] = {int4_baseline, int4_avx2, 0};
#else
static const int4_function int4_kernels[kindred_levels] = {int4_baseline, 0, 0};
#endif
static const int int4_built[kindred_levels] = {1, int4_kernels[1] != 0, int4_kernels[2] != 0};
static int int4_chosen = 0;

__attribute__((constructor))
static void choose_int4_kernel(void) { int4_chosen = kindred_chosen_level(int4_built); }

void kindred_int4_dots(const int8_t *query, const uint8_t *rows, size_t width, size_t columns, float *out) {
    int4_kernels[int4_chosen](query, rows, width, columns, out);
}

int kindred_int4_dots_with(
    int kernel, const int8_t *query, const uint8_t *rows, size_t width, size_t columns, float *out) {
    if (!kindred_level_runs(kernel, int4_built)) return 0;
    int4_kernels[kernel](query, rows, width, columns, out);
    return 1;
}

const char *kindred_int4_dots_kernel(void) { return kindred_level_names[int4_chosen]; }
