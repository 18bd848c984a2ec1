// Small C kernels for Kindred: the few loops that need vector instructions wider than the
// x86-64 baseline Swift compiles for, chosen once at start-up by what the CPU supports, and the
// Linux flags Swift's Glibc module leaves out.
#ifndef KINDRED_KERNELS_H
#define KINDRED_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// Where one row of int8 dot products beats a threshold (see ScoreScan.c).
///
/// score[j] = dots[j] * scales[j] * query_scale for j in 0..<count. Writes to row_hits (and
/// row_scores) every j with score[j] >= row_limit, and, when column_limits is not NULL, to
/// column_hits (and column_scores) every j with score[j] >= column_limits[j]. (At or above: a
/// score equal to a limit may still enter a list by its lower index; the caller decides.) Each output array
/// must hold count entries. Returns the number of row hits; *column_hit_count gets the other.
size_t kindred_scan_scores(
    const float *dots, const float *scales, float query_scale, float row_limit,
    const float *column_limits, size_t count,
    uint32_t *row_hits, float *row_scores,
    uint32_t *column_hits, float *column_scores, size_t *column_hit_count);

/// The instruction set kindred_scan_scores runs on: "avx512", "avx2" or "baseline".
const char *kindred_scan_kernel(void);

/// kindred_scan_scores on a given kernel (0 baseline, 1 AVX2, 2 AVX-512), for tests that compare
/// them; SIZE_MAX when this CPU can't run it.
size_t kindred_scan_scores_with(
    int kernel, const float *dots, const float *scales, float query_scale, float row_limit,
    const float *column_limits, size_t count,
    uint32_t *row_hits, float *row_scores,
    uint32_t *column_hits, float *column_scores, size_t *column_hit_count);

/// Rows first_row..<end_row of Y = A·X, for a CSR matrix A (offsets, indices, values) and a dense
/// row-major X of `width` columns; Y is row-major with the same width. On AVX-512, AVX2 + FMA or
/// the baseline, whichever the CPU runs (see SparseDense.c).
void kindred_csr_times_dense(
    const int64_t *offsets, const int32_t *indices, const float *values, size_t first_row, size_t end_row,
    const float *x, size_t width, float *y);

/// kindred_csr_times_dense on a given kernel (0 baseline, 1 AVX2, 2 AVX-512), for tests; returns
/// 0 (and writes nothing) when this CPU can't run it, 1 otherwise.
int kindred_csr_times_dense_with(
    int kernel, const int64_t *offsets, const int32_t *indices, const float *values, size_t first_row,
    size_t end_row, const float *x, size_t width, float *y);

/// Rows first_column..<end_column of Y = Aᵀ·X, for a CSR matrix A (offsets, indices, values) of
/// `rows` rows and a dense row-major X (`rows` × `width`), without a transposed copy of A; Y is
/// row-major with `width` columns, one row per column of A (see SparseTransposedDense.c). With
/// row_scales (`rows` floats; NULL for none), Y = Aᵀ·diag(row_scales)·X.
void kindred_csr_transposed_times_dense(
    const int64_t *offsets, const int32_t *indices, const float *values, const float *row_scales, size_t rows,
    const float *x, size_t width, float *y, size_t first_column, size_t end_column);

/// kindred_csr_transposed_times_dense on a given kernel (0 baseline, 1 AVX2, 2 AVX-512), for
/// tests; returns 0 (and writes nothing) when this CPU can't run it, 1 otherwise.
int kindred_csr_transposed_times_dense_with(
    int kernel, const int64_t *offsets, const int32_t *indices, const float *values, const float *row_scales,
    size_t rows, const float *x, size_t width, float *y, size_t first_column, size_t end_column);

/// Moves the k highest of count scores, with their indices, to the first k positions (ties at
/// the cut in no defined order); nothing when k == 0 or k >= count (see TopSelect.c).
void kindred_select_top(float *scores, int32_t *indices, size_t count, size_t k);

/// kindred_select_top with a given partition kernel (0 baseline, 2 AVX-512), for tests; returns 0
/// (doing nothing) when this CPU can't run it, 1 otherwise.
int kindred_select_top_with(int kernel, float *scores, int32_t *indices, size_t count, size_t k);

/// Exact integer dot products of int8 codes in −127…127 (see Int8Dots.c): out[i * width + j] =
/// Σ_c queries[i * columns + c] · rows[j * columns + c] for i < count, j < width, as floats
/// (exact while |sum| < 2²⁴). Both matrices row-major; a code of −128 gives wrong products.
void kindred_int8_dots(
    const int8_t *queries, size_t count, const int8_t *rows, size_t width, size_t columns, float *out);

/// kindred_int8_dots on a given kernel (0 baseline, 1 AVX2), for tests; returns 0 (and writes
/// nothing) when this CPU can't run it, 1 otherwise.
int kindred_int8_dots_with(
    int kernel, const int8_t *queries, size_t count, const int8_t *rows, size_t width, size_t columns, float *out);

/// kindred_int8_dots of one query against listed rows of `codes` (rows × columns, row-major):
/// out[j] = Σ_c query[c] · codes[rows[j] * columns + c] for j < count, each row's codes
/// prefetched a few rows ahead (the rows are scattered: a filter's).
void kindred_int8_dots_gathered(
    const int8_t *query, const int8_t *codes, const int32_t *rows, size_t count, size_t columns, float *out);

/// kindred_int8_dots_gathered on a given kernel (0 baseline, 1 AVX2), for tests; returns 0 (and
/// writes nothing) when this CPU can't run it, 1 otherwise.
int kindred_int8_dots_gathered_with(
    int kernel, const int8_t *query, const int8_t *codes, const int32_t *rows, size_t count, size_t columns,
    float *out);

/// The instruction set kindred_int8_dots runs on: "avx2" or "baseline".
const char *kindred_int8_dots_kernel(void);

/// Dot products of one int8 query (codes in −127…127) with rows of 4-bit codes (see Int4Dots.c for
/// the packing: codes −7…7 stored as 1…15, `columns / 2` bytes a row): out[j] = Σ_c query[c] ·
/// code(j, c) for j < width, as floats (exact). `columns` must be a multiple of 64; pad the query
/// with zeros and the rows with the code for 0.
void kindred_int4_dots(const int8_t *query, const uint8_t *rows, size_t width, size_t columns, float *out);

/// kindred_int4_dots on a given kernel (0 baseline, 1 AVX2), for tests; returns 0 (and writes
/// nothing) when this CPU can't run it, 1 otherwise.
int kindred_int4_dots_with(
    int kernel, const int8_t *query, const uint8_t *rows, size_t width, size_t columns, float *out);

/// The instruction set kindred_int4_dots runs on: "avx2" or "baseline".
const char *kindred_int4_dots_kernel(void);

/// Best-first search of a proximity graph (see GraphSearch.c): the `beam` rows of highest score
/// (the dot product of `query` with a row's codes times the row's scale) it reaches from
/// `entries`, best first (ties: lower row first), into out_rows and out_scores (room for `beam`
/// each). `rows` holds rows of `row_bytes` bytes (ScaledCodeRows), each its codes then, in its
/// last four bytes, its scale as a float: 4-bit codes packed as Int4Dots.c packs them, `columns`
/// a multiple of 64, the scale in place of eight codes, which `query` (`columns` int8 codes) must
/// hold as 0; or 8-bit codes, `columns` of them. `adjacency` is rows × degree row numbers with −1
/// padding each row's end. Scores at most `max_visits` rows (a bound on the work, whatever the
/// graph). `held_out`, unless −1, is a row the walk neither scores nor passes through: an article
/// searched as if the graph did not hold it (a draft's position, for the beam's calibration).
/// Returns how many were written: fewer than `beam` only when fewer rows were reached, or 0 when
/// memory ran out or `bits` is neither 4 nor 8.
size_t kindred_graph_search(
    const int8_t *query, const uint8_t *rows, int bits, size_t columns, size_t row_bytes, const int32_t *adjacency,
    size_t degree, const int32_t *entries, size_t entry_count, int32_t held_out, size_t beam, size_t max_visits,
    int32_t *out_rows, float *out_scores);

/// kindred_graph_search on a given kernel (0 baseline, 1 AVX2), for tests; returns 0 (and writes
/// nothing) when this CPU can't run it, 1 otherwise, with the count in *found.
int kindred_graph_search_with(
    int kernel, const int8_t *query, const uint8_t *rows, int bits, size_t columns, size_t row_bytes,
    const int32_t *adjacency, size_t degree, const int32_t *entries, size_t entry_count, int32_t held_out, size_t beam,
    size_t max_visits, int32_t *out_rows, float *out_scores, size_t *found);

/// The scores kindred_graph_search gives rows listed[0..<count] (row numbers of `rows`), into out.
void kindred_graph_score_rows(
    const int8_t *query, const uint8_t *rows, int bits, size_t columns, size_t row_bytes, const int32_t *listed,
    size_t count, float *out);

/// kindred_graph_score_rows on a given kernel (0 baseline, 1 AVX2), for tests; returns 0 (and
/// writes nothing) when this CPU can't run it, 1 otherwise.
int kindred_graph_score_rows_with(
    int kernel, const int8_t *query, const uint8_t *rows, int bits, size_t columns, size_t row_bytes,
    const int32_t *listed, size_t count, float *out);

/// The instruction set kindred_graph_search runs on: "avx2" or "baseline".
const char *kindred_graph_kernel(void);

/// A graph build's pruning of one row's candidate neighbours (rows with their cosines to it,
/// best first): keeps a candidate unless a neighbour kept before it is nearer to it, by the
/// factor alpha on distance, than the row is (see GraphSearch.c). Writes at most `degree` rows to
/// out and returns how many.
size_t kindred_graph_prune(
    int32_t row, const int32_t *candidates, const float *candidate_scores, size_t count, const int8_t *codes,
    const float *scales, size_t columns, float alpha, size_t degree, int32_t *out);

/// Asks the caches for `bytes` bytes from `start` (see Prefetch.c); reads nothing itself.
void kindred_prefetch(const void *start, size_t bytes);

/// The CPU's int8 dot-product instructions, as the bits below (what the hardware and the OS
/// offer, whatever a cap in the environment says).
enum {
    kindred_cpu_avx512_vnni = 1,
    kindred_cpu_avx_vnni = 2,
    kindred_cpu_amx_int8 = 4,
};
int kindred_cpu_int8_features(void);

/// The widest kernel level these kernels run (0 baseline, 1 AVX2, 2 AVX-512), after the cap of
/// KINDRED_MAX_CPU_ISA or ONEDNN_MAX_CPU_ISA.
int kindred_cpu_level_in_effect(void);

/// Linux's O_DIRECT (Swift's Glibc module does not export it: it needs _GNU_SOURCE).
int kindred_open_direct_flag(void);

/// The element-wise steps of a BERT layer (see Transformer.c), on the build `level` names: −1 for
/// the one chosen for this CPU, else 0 baseline, 1 AVX2 (callers check kindred_transformer_kernel_runs).
/// One text's attention over `length` tokens: per head, softmax(scale·Q·Kᵀ)·V from the fused
/// projection `qkv` (rows `stride` floats apart: Q at column h·head_size, K `hidden` further, V
/// 2·hidden further), written to `context` (rows `context_stride` apart). `scratch` holds
/// kindred_attention_scratch(length, head_size) floats.
void kindred_attention(
    int level, const float *qkv, size_t stride, size_t length, size_t heads, size_t head_size, size_t hidden,
    float scale, float *context, size_t context_stride, float *scratch);
/// The floats kindred_attention's scratch needs for a text of `length` tokens.
size_t kindred_attention_scratch(size_t length, size_t head_size);
/// x[i][j] = gelu(x[i][j] + bias[j]), GELU with erf.
void kindred_bias_gelu(int level, float *x, const float *bias, size_t rows, size_t columns);
/// x[i][j] += bias[j].
void kindred_add_bias(int level, float *x, const float *bias, size_t rows, size_t columns);
/// Each of `rows` rows (`stride` floats apart) replaced by the softmax of its first `columns` values.
void kindred_softmax_rows(int level, float *x, size_t rows, size_t columns, size_t stride);
/// hidden[i] = LayerNorm(hidden[i] + update[i] + bias) · gamma + beta, over `columns`; `update`
/// may be NULL (then hidden[i] + bias).
void kindred_add_layer_norm(
    int level, float *hidden, const float *update, const float *bias, size_t rows, size_t columns,
    const float *gamma, const float *beta, float epsilon);
/// The build the transformer kernels run on: "avx2" or "baseline".
const char *kindred_transformer_kernel(void);
/// Whether this CPU runs the transformer kernels' build `level` (−1: the chosen one, always).
int kindred_transformer_kernel_runs(int level);

#endif
