// Best-first search of a proximity graph (NeighborGraph) over rows of codes that carry their own
// scale, and the pruning rule its build applies to each row's candidate neighbours.
//
// The search keeps the `beam` best rows seen so far and expands the best row not yet expanded,
// scoring its unvisited neighbours, until no unexpanded row beats the worst of the beam (the
// layer search of Malkov & Yashunin 2018, "Efficient and robust approximate nearest neighbor
// search using Hierarchical Navigable Small World graphs", on one layer, started from several
// entry rows). Scores are dot products with the row's codes times its scale: the order of the
// cosine, to about 10⁻² with 4-bit codes, which the caller's Float rescoring of the beam's best
// restores.
//
// A walk's reads are random, one row at a time, and what they cost is the cache lines they
// touch, whatever their bytes: a row of 256 dimensions is 128 bytes of codes whose last four hold
// its scale (ScaledCodeRows), two lines, where int8 codes and a scale from an array of their own
// were five. The neighbours of an expanded row are prefetched together before any is scored, so
// that their reads overlap instead of queueing. (On a million articles a walk at the same beam took
// about a fifth less time than over int8 codes, for about a thousandth less recall:
// docs/performance.md.)
//
// The rows (ScaledCodeRows), each ending in its scale as a float: 4-bit codes (see Int4Dots.c
// for the packing of two a byte), `columns` a multiple of 64, `columns / 2` bytes a row, codes
// −7…7 stored as 1…15, the scale in place of the codes of dimensions columns − 36…columns − 33
// and columns − 4…columns − 1, which the query must hold as 0; or, for rows under 128
// dimensions, `columns` int8 codes, the scale after them.

#include "CKindredKernels.h"
#include "Dispatch.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

typedef int32_t (*dot_function)(const int8_t *, const int8_t *, size_t);

static int32_t dot_baseline(const int8_t *a, const int8_t *b, size_t columns) {
    int32_t sum = 0;
    for (size_t c = 0; c < columns; c++) sum += (int32_t)a[c] * (int32_t)b[c];
    return sum;
}

#if defined(__x86_64__)
// Codes widened to 16 bits and multiplied in pairs (vpmaddwd): exact, and the same speed as the
// sign trick of Int8Dots.c for one row, whose cost is its read.
__attribute__((target("avx2")))
static int32_t dot_avx2(const int8_t *a, const int8_t *b, size_t columns) {
    __m256i sum = _mm256_setzero_si256();
    size_t c = 0;
    for (; c + 16 <= columns; c += 16) {
        const __m256i x = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(a + c)));
        const __m256i y = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(b + c)));
        sum = _mm256_add_epi32(sum, _mm256_madd_epi16(x, y));
    }
    __m128i half = _mm_add_epi32(_mm256_castsi256_si128(sum), _mm256_extracti128_si256(sum, 1));
    half = _mm_add_epi32(half, _mm_shuffle_epi32(half, 0x4E));
    half = _mm_add_epi32(half, _mm_shuffle_epi32(half, 0xB1));
    int32_t total = _mm_cvtsi128_si32(half);
    for (; c < columns; c++) total += (int32_t)a[c] * (int32_t)b[c];
    return total;
}
static const dot_function kernels[kindred_levels] = {dot_baseline, dot_avx2, 0};
#else
static const dot_function kernels[kindred_levels] = {dot_baseline, 0, 0};
#endif
static const int built[kindred_levels] = {1, kernels[1] != 0, kernels[2] != 0};

typedef int32_t (*row_function)(const int8_t *, const uint8_t *, size_t);

// Σ query[c] · stored(c) over a row's packed codes, stored = code + 8 (the caller subtracts
// 8 · Σ query). The scale's bytes meet zeros of the query.
static int32_t row_baseline(const int8_t *query, const uint8_t *row, size_t columns) {
    int32_t sum = 0;
    for (size_t run = 0; run < columns / 64; run++) {
        for (size_t b = 0; b < 32; b++) {
            const uint8_t packed = row[run * 32 + b];
            sum += (int32_t)query[run * 64 + b] * (packed & 15) + (int32_t)query[run * 64 + 32 + b] * (packed >> 4);
        }
    }
    return sum;
}

#if defined(__x86_64__)
// vpmaddubsw pair sums (at most 2 · 15 · 127 = 3,810) of a run's two halves add up in 16 bits for
// four runs (30,480) before vpmaddwd widens them.
__attribute__((target("avx2")))
static int32_t row_avx2(const int8_t *query, const uint8_t *row, size_t columns) {
    const __m256i nibble = _mm256_set1_epi8(15), ones = _mm256_set1_epi16(1);
    const size_t runs = columns / 64;
    __m256i total = _mm256_setzero_si256();
    for (size_t from = 0; from < runs; from += 4) {
        const size_t to = from + 4 < runs ? from + 4 : runs;
        __m256i sums = _mm256_setzero_si256();
        for (size_t run = from; run < to; run++) {
            const __m256i codes = _mm256_loadu_si256((const __m256i *)(row + run * 32));
            const __m256i low = _mm256_and_si256(codes, nibble);
            const __m256i high = _mm256_and_si256(_mm256_srli_epi16(codes, 4), nibble);
            const __m256i low_query = _mm256_loadu_si256((const __m256i *)(query + run * 64));
            const __m256i high_query = _mm256_loadu_si256((const __m256i *)(query + run * 64 + 32));
            sums = _mm256_add_epi16(
                sums, _mm256_add_epi16(_mm256_maddubs_epi16(low, low_query), _mm256_maddubs_epi16(high, high_query)));
        }
        total = _mm256_add_epi32(total, _mm256_madd_epi16(sums, ones));
    }
    __m128i half = _mm_add_epi32(_mm256_castsi256_si128(total), _mm256_extracti128_si256(total, 1));
    half = _mm_add_epi32(half, _mm_shuffle_epi32(half, 0x4E));
    half = _mm_add_epi32(half, _mm_shuffle_epi32(half, 0xB1));
    return _mm_cvtsi128_si32(half);
}
static const row_function row_kernels[kindred_levels] = {row_baseline, row_avx2, 0};
#else
static const row_function row_kernels[kindred_levels] = {row_baseline, 0, 0};
#endif
// The same levels as the int8 kernels' (`built`), which choose the level for both.
static const int row_built[kindred_levels] = {1, row_kernels[1] != 0, row_kernels[2] != 0};

// The offset of the stored codes: 8 · Σ query.
static int32_t stored_offset(const int8_t *query, size_t columns) {
    int32_t sum = 0;
    for (size_t c = 0; c < columns; c++) sum += query[c];
    return 8 * sum;
}

static inline float row_scale(const uint8_t *row, size_t row_bytes) {
    float scale;
    memcpy(&scale, row + row_bytes - 4, sizeof scale);
    return scale;
}

// Rows of int8 codes: the pruning's dot product over the codes (the scale lies after them).
static int32_t row8_baseline(const int8_t *query, const uint8_t *row, size_t columns) {
    return dot_baseline(query, (const int8_t *)row, columns);
}
#if defined(__x86_64__)
static int32_t row8_avx2(const int8_t *query, const uint8_t *row, size_t columns) {
    return dot_avx2(query, (const int8_t *)row, columns);
}
static const row_function row8_kernels[kindred_levels] = {row8_baseline, row8_avx2, 0};
#else
static const row_function row8_kernels[kindred_levels] = {row8_baseline, 0, 0};
#endif

// How a walk reads a row: its bytes, the codes the kernel multiplies, the stored codes' offset.
typedef struct {
    row_function dot;
    size_t row_bytes, columns;
    int32_t offset;
} row_format;

// The format of rows of `bits`-bit codes (4 or 8) at `level`, for `query`; 0 for other bits.
static int format_for(int bits, int level, const int8_t *query, size_t columns, size_t row_bytes, row_format *format) {
    if (bits == 4) {
        *format = (row_format){row_kernels[level], row_bytes, columns, stored_offset(query, columns)};
        return 1;
    }
    if (bits == 8) {
        *format = (row_format){row8_kernels[level], row_bytes, columns, 0};
        return 1;
    }
    return 0;
}
static int chosen = 0;

__attribute__((constructor))
static void choose_graph_kernel(void) { chosen = kindred_chosen_level(built); }

const char *kindred_graph_kernel(void) { return kindred_level_names[chosen]; }

static inline void prefetch_row(const uint8_t *row, size_t bytes) {
    for (size_t c = 0; c < bytes; c += 64) __builtin_prefetch(row + c, 0, 3);
}

// A scored row; heaps of them are ordered by score, ties by lower row first (so that a search is
// the same on every run).
typedef struct {
    float score;
    int32_t row;
} scored;

static inline int better(scored a, scored b) { return a.score > b.score || (a.score == b.score && a.row < b.row); }

// Max-heap by `better` (the candidates to expand) and min-heap (the beam, worst on top).
static void push(scored *heap, size_t *count, scored item, int max_heap) {
    size_t i = (*count)++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (max_heap ? !better(item, heap[parent]) : !better(heap[parent], item)) break;
        heap[i] = heap[parent];
        i = parent;
    }
    heap[i] = item;
}

static scored pop(scored *heap, size_t *count, int max_heap) {
    scored top = heap[0], last = heap[--(*count)];
    size_t i = 0;
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= *count) break;
        if (child + 1 < *count && (max_heap ? better(heap[child + 1], heap[child]) : better(heap[child], heap[child + 1])))
            child++;
        if (max_heap ? !better(heap[child], last) : !better(last, heap[child])) break;
        heap[i] = heap[child];
        i = child;
    }
    heap[i] = last;
    return top;
}

// Open addressing over row numbers (a multiplicative hash, linear probing), −1 empty: the rows a
// search has scored. Returns 1 when `row` was new.
static inline int visit(int32_t *table, size_t mask, int32_t row) {
    size_t slot = ((uint32_t)row * 2654435761u) & mask;
    while (table[slot] != -1) {
        if (table[slot] == row) return 0;
        slot = (slot + 1) & mask;
    }
    table[slot] = row;
    return 1;
}

// Doubles the visited table (rehashing every row in it); returns 0 when memory ran out.
static int grow(int32_t **table, size_t *capacity) {
    const size_t old = *capacity, larger = 2 * old;
    int32_t *bigger = malloc(larger * sizeof(int32_t));
    if (!bigger) return 0;
    memset(bigger, 0xFF, larger * sizeof(int32_t));
    for (size_t i = 0; i < old; i++) {
        if ((*table)[i] != -1) visit(bigger, larger - 1, (*table)[i]);
    }
    free(*table);
    *table = bigger;
    *capacity = larger;
    return 1;
}

// Doubles the frontier's room; returns 0 when memory ran out.
static int widen(scored **frontier, size_t *capacity) {
    scored *wider = realloc(*frontier, 2 * *capacity * sizeof(scored));
    if (!wider) return 0;
    *frontier = wider;
    *capacity *= 2;
    return 1;
}

static size_t search(
    row_format format, const int8_t *query, const uint8_t *rows, const int32_t *adjacency, size_t degree,
    const int32_t *entries, size_t entry_count, int32_t held_out, size_t beam, size_t max_visits, int32_t *out_rows,
    float *out_scores) {
    if (beam == 0) return 0;
    const row_function dot = format.dot;
    const size_t row_bytes = format.row_bytes, columns = format.columns;
    const int32_t offset = format.offset;
    // The visited table starts at about what a search scores (a dozen rows per row of the beam)
    // and doubles when half full: small enough to stay in cache.
    size_t capacity = 1024;
    while (capacity < 32 * beam && capacity < 2 * max_visits) capacity *= 2;
    int32_t *table = malloc(capacity * sizeof(int32_t));
    // The frontier grows as rows enter the beam, up to max_visits. Allocated at max_visits it took
    // megabytes per walk for wide beams, which a server maps and unmaps on every request (its
    // allocator maps large blocks on their own): page faults and TLB flushes on every search.
    size_t frontier_capacity = 16 * beam + 1024;
    if (frontier_capacity > max_visits + 1) frontier_capacity = max_visits + 1;
    scored *frontier = malloc(frontier_capacity * sizeof(scored));
    scored *best = malloc((beam + 1) * sizeof(scored));
    int32_t *fresh = malloc((degree + 1) * sizeof(int32_t));
    if (!table || !frontier || !best || !fresh) {
        free(table), free(frontier), free(best), free(fresh);
        return 0;
    }
    memset(table, 0xFF, capacity * sizeof(int32_t));
    size_t frontier_count = 0, best_count = 0, visits = 0, marked = 0;
    int failed = 0;

    // Scores a row and offers it to the beam (and, when it enters, to the frontier).
#define OFFER(row_value)                                                                           \
    do {                                                                                           \
        const int32_t r_ = (row_value);                                                            \
        const uint8_t *row_ = rows + (size_t)r_ * row_bytes;                                       \
        scored item_ = {(float)(dot(query, row_, columns) - offset) * row_scale(row_, row_bytes), r_}; \
        visits++;                                                                                  \
        if (best_count < beam || better(item_, best[0])) {                                         \
            if (best_count == beam) pop(best, &best_count, 0);                                     \
            push(best, &best_count, item_, 0);                                                     \
            if (frontier_count == frontier_capacity && !widen(&frontier, &frontier_capacity)) {    \
                failed = 1;                                                                        \
            } else {                                                                               \
                push(frontier, &frontier_count, item_, 1);                                         \
            }                                                                                      \
        }                                                                                          \
    } while (0)
    // Marks a row visited; false when it was already.
#define MARK(row_value)                                                                \
    ((2 * (marked + 1) > capacity && !grow(&table, &capacity)) ? (failed = 1, 0)       \
     : visit(table, capacity - 1, (row_value))                 ? (marked++, 1)         \
                                                               : 0)

    // Marked as seen before anything is: never scored, never expanded.
    if (held_out >= 0) (void)MARK(held_out);
    // The entries' rows requested together too.
    for (size_t e = 0; e < entry_count; e++) {
        if (entries[e] >= 0) prefetch_row(rows + (size_t)entries[e] * row_bytes, row_bytes);
    }
    for (size_t e = 0; e < entry_count && visits < max_visits && !failed; e++) {
        if (entries[e] >= 0 && MARK(entries[e])) OFFER(entries[e]);
    }
    while (frontier_count > 0 && visits < max_visits && !failed) {
        const scored current = pop(frontier, &frontier_count, 1);
        if (best_count == beam && better(best[0], current)) break;
        const int32_t *neighbours = adjacency + (size_t)current.row * degree;
        // The unvisited neighbours, their rows requested together before any is scored.
        size_t count = 0;
        for (size_t j = 0; j < degree && neighbours[j] >= 0; j++) {
            if (MARK(neighbours[j])) {
                fresh[count++] = neighbours[j];
                prefetch_row(rows + (size_t)neighbours[j] * row_bytes, row_bytes);
            }
        }
        // The next row to expand is likely the best of the frontier: its links, early.
        if (frontier_count > 0) __builtin_prefetch(adjacency + (size_t)frontier[0].row * degree, 0, 3);
        for (size_t j = 0; j < count && visits < max_visits; j++) OFFER(fresh[j]);
    }
#undef OFFER
#undef MARK
    const size_t found = failed ? 0 : best_count;
    for (size_t i = found; i > 0; i--) {
        const scored item = pop(best, &best_count, 0);
        out_rows[i - 1] = item.row;
        out_scores[i - 1] = item.score;
    }
    free(table), free(frontier), free(best), free(fresh);
    return found;
}

size_t kindred_graph_search(
    const int8_t *query, const uint8_t *rows, int bits, size_t columns, size_t row_bytes, const int32_t *adjacency,
    size_t degree, const int32_t *entries, size_t entry_count, int32_t held_out, size_t beam, size_t max_visits,
    int32_t *out_rows, float *out_scores) {
    row_format format;
    if (!format_for(bits, chosen, query, columns, row_bytes, &format)) return 0;
    return search(
        format, query, rows, adjacency, degree, entries, entry_count, held_out, beam, max_visits, out_rows, out_scores);
}

int kindred_graph_search_with(
    int kernel, const int8_t *query, const uint8_t *rows, int bits, size_t columns, size_t row_bytes,
    const int32_t *adjacency, size_t degree, const int32_t *entries, size_t entry_count, int32_t held_out, size_t beam,
    size_t max_visits, int32_t *out_rows, float *out_scores, size_t *found) {
    row_format format;
    if (!kindred_level_runs(kernel, row_built) || !format_for(bits, kernel, query, columns, row_bytes, &format)) return 0;
    *found = search(
        format, query, rows, adjacency, degree, entries, entry_count, held_out, beam, max_visits, out_rows, out_scores);
    return 1;
}

// Rows scored one by one, as a walk scores them, the rows eight ahead requested while one is
// scored: a filter's own rows (EmbeddingIndex+Rows.swift).
static void score_rows(row_format format, const uint8_t *rows, const int8_t *query, const int32_t *listed, size_t count,
    float *out) {
    const size_t row_bytes = format.row_bytes, ahead = 8;
    for (size_t j = 0; j < count && j < ahead; j++) prefetch_row(rows + (size_t)listed[j] * row_bytes, row_bytes);
    for (size_t j = 0; j < count; j++) {
        if (j + ahead < count) prefetch_row(rows + (size_t)listed[j + ahead] * row_bytes, row_bytes);
        const uint8_t *row = rows + (size_t)listed[j] * row_bytes;
        out[j] = (float)(format.dot(query, row, format.columns) - format.offset) * row_scale(row, row_bytes);
    }
}

void kindred_graph_score_rows(
    const int8_t *query, const uint8_t *rows, int bits, size_t columns, size_t row_bytes, const int32_t *listed,
    size_t count, float *out) {
    row_format format;
    if (format_for(bits, chosen, query, columns, row_bytes, &format)) score_rows(format, rows, query, listed, count, out);
}

int kindred_graph_score_rows_with(
    int kernel, const int8_t *query, const uint8_t *rows, int bits, size_t columns, size_t row_bytes,
    const int32_t *listed, size_t count, float *out) {
    row_format format;
    if (!kindred_level_runs(kernel, row_built) || !format_for(bits, kernel, query, columns, row_bytes, &format)) return 0;
    score_rows(format, rows, query, listed, count, out);
    return 1;
}

size_t kindred_graph_prune(
    int32_t row, const int32_t *candidates, const float *candidate_scores, size_t count, const int8_t *codes,
    const float *scales, size_t columns, float alpha, size_t degree, int32_t *out) {
    const dot_function dot = kernels[chosen];
    size_t kept = 0;
    for (size_t c = 0; c < count && kept < degree; c++) {
        const int32_t candidate = candidates[c];
        if (candidate == row || candidate < 0) continue;
        // Squared distances of unit vectors: 2 − 2·cos.
        const float to_row = 2 - 2 * candidate_scores[c];
        int keep = 1;
        for (size_t s = 0; s < kept && keep; s++) {
            if (out[s] == candidate) {
                keep = 0;
                break;
            }
            const int32_t other = out[s];
            const float cosine = (float)dot(codes + (size_t)candidate * columns, codes + (size_t)other * columns, columns)
                * scales[candidate] * scales[other];
            const float between = 2 - 2 * cosine;
            // Dropped when a kept neighbour lies closer to it, by the factor alpha, than the row.
            if (alpha * alpha * between <= to_row) keep = 0;
        }
        if (keep) out[kept++] = candidate;
    }
    return kept;
}
