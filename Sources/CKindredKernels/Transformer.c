// The element-wise steps of a BERT layer between its matrix products (those run in the BLAS):
// attention, bias + GELU, row softmax, and bias + residual + layer norm. Each is a plain loop over a
// branch-free body, built twice: for the x86-64 baseline and for AVX2 with FMA, where the
// compiler vectorises the same code eight floats wide. exp and erf are polynomial: libm's scalar
// calls would keep the loops from vectorising and cost as much as the products themselves.

#include "CKindredKernels.h"
#include "Dispatch.h"

#include <math.h>
#include <string.h>

#define KINDRED_INLINE static inline __attribute__((always_inline))

// exp(x) for x in about −87…88 (clamped), relative error near 2e-7: Cody–Waite reduction
// x = n·ln 2 + r, a degree-6 polynomial for exp(r) (the Cephes single-precision coefficients),
// then 2ⁿ built in the exponent bits. Rounding to n adds and subtracts 1.5·2²³, which SSE2 can
// vectorise where floorf can't.
KINDRED_INLINE float exp_approx(float x) {
    x = fminf(fmaxf(x, -87.0f), 88.0f);
    const float shifter = 12582912.0f;
    float n = (x * 1.44269504088896341f + shifter) - shifter;
    float r = x - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    int32_t bits = ((int32_t)n + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

// erf(x) with absolute error below 1.5e-7 (Abramowitz & Stegun, Handbook of Mathematical
// Functions, 7.1.26), odd by construction.
KINDRED_INLINE float erf_approx(float x) {
    float a = fabsf(x);
    float t = 1.0f / (1.0f + 0.3275911f * a);
    float poly = ((((1.061405429f * t - 1.453152027f) * t + 1.421413741f) * t - 0.284496736f) * t + 0.254829592f) * t;
    float y = 1.0f - poly * exp_approx(-a * a);
    return copysignf(y, x);
}

KINDRED_INLINE void bias_gelu_body(float *x, const float *bias, size_t rows, size_t columns) {
    for (size_t i = 0; i < rows; i++) {
        float *row = x + i * columns;
        for (size_t j = 0; j < columns; j++) {
            float v = row[j] + bias[j];
            row[j] = 0.5f * v * (1.0f + erf_approx(v * 0.70710678118654752f));
        }
    }
}

KINDRED_INLINE void add_bias_body(float *x, const float *bias, size_t rows, size_t columns) {
    for (size_t i = 0; i < rows; i++) {
        float *row = x + i * columns;
        for (size_t j = 0; j < columns; j++) row[j] += bias[j];
    }
}

// Float sums and maxima in eight lanes: without -ffast-math the compiler may not reorder a float
// reduction, so one written lane by lane would stay scalar. Eight partial results, combined at the
// end, vectorise on every build (and round a little differently from a sum in order, as any
// vectorised sum does).
KINDRED_INLINE float lane_sum(const float *x, size_t n) {
    float lanes[8] = {0};
    size_t j = 0;
    for (; j + 8 <= n; j += 8)
        for (size_t t = 0; t < 8; t++) lanes[t] += x[j + t];
    float sum = 0;
    for (; j < n; j++) sum += x[j];
    for (size_t t = 0; t < 8; t++) sum += lanes[t];
    return sum;
}

KINDRED_INLINE float lane_max(const float *x, size_t n) {
    float lanes[8];
    for (size_t t = 0; t < 8; t++) lanes[t] = x[0];
    size_t j = 0;
    for (; j + 8 <= n; j += 8)
        for (size_t t = 0; t < 8; t++) lanes[t] = fmaxf(lanes[t], x[j + t]);
    float top = x[0];
    for (; j < n; j++) top = fmaxf(top, x[j]);
    for (size_t t = 0; t < 8; t++) top = fmaxf(top, lanes[t]);
    return top;
}

KINDRED_INLINE void softmax_rows_body(float *x, size_t rows, size_t columns, size_t stride) {
    for (size_t i = 0; i < rows; i++) {
        float *row = x + i * stride;
        float top = lane_max(row, columns);
        for (size_t j = 0; j < columns; j++) row[j] = exp_approx(row[j] - top);
        float inverse = 1.0f / lane_sum(row, columns);
        for (size_t j = 0; j < columns; j++) row[j] *= inverse;
    }
}

KINDRED_INLINE void add_layer_norm_body(
    float *hidden, const float *update, const float *bias, size_t rows, size_t columns,
    const float *gamma, const float *beta, float epsilon) {
    for (size_t i = 0; i < rows; i++) {
        float *row = hidden + i * columns;
        const float *delta = update ? update + i * columns : 0;
        if (delta) {
            for (size_t j = 0; j < columns; j++) row[j] += delta[j] + bias[j];
        } else {
            for (size_t j = 0; j < columns; j++) row[j] += bias[j];
        }
        float mean = lane_sum(row, columns) / (float)columns;
        float lanes[8] = {0};
        size_t j = 0;
        for (; j + 8 <= columns; j += 8)
            for (size_t t = 0; t < 8; t++) lanes[t] += (row[j + t] - mean) * (row[j + t] - mean);
        float squares = 0;
        for (; j < columns; j++) squares += (row[j] - mean) * (row[j] - mean);
        for (size_t t = 0; t < 8; t++) squares += lanes[t];
        float inverse = 1.0f / sqrtf(squares / (float)columns + epsilon);
        for (size_t c = 0; c < columns; c++) row[c] = (row[c] - mean) * inverse * gamma[c] + beta[c];
    }
}

// One text's multi-head attention: for each head, scores = scale·Q·Kᵀ, a row softmax, then
// context = P·V. Q, K and V are the head's columns of the fused projection (rows `stride` floats
// apart). One text runs on one thread, so that texts run in parallel without a multi-threaded
// BLAS under each fighting for the cores. Both products are blocked so that partial sums stay in
// registers across the inner loop (fixed-size blocks the compiler keeps in vector registers):
// K is first copied transposed into `scratch`, its rows padded to a multiple of 8 with zeros.
enum { attention_rows = 4, attention_columns = 8, attention_values = 16 };

static inline size_t padded_length(size_t length) { return (length + attention_columns - 1) / attention_columns * attention_columns; }

KINDRED_INLINE void attention_scores(
    const float *query, size_t stride, const float *keys, size_t length, size_t padded, size_t head_size, float scale,
    float *scores) {
    for (size_t i = 0; i < length; i += attention_rows) {
        size_t rows = length - i < attention_rows ? length - i : attention_rows;
        for (size_t j = 0; j < padded; j += attention_columns) {
            float acc[attention_rows][attention_columns] = {{0}};
            for (size_t c = 0; c < head_size; c++) {
                const float *k = keys + c * padded + j;
                float q[attention_rows];
                for (size_t r = 0; r < attention_rows; r++) q[r] = r < rows ? query[(i + r) * stride + c] * scale : 0;
                for (size_t r = 0; r < attention_rows; r++)
                    for (size_t t = 0; t < attention_columns; t++) acc[r][t] += q[r] * k[t];
            }
            for (size_t r = 0; r < rows; r++)
                for (size_t t = 0; t < attention_columns; t++) scores[(i + r) * padded + j + t] = acc[r][t];
        }
    }
}

KINDRED_INLINE void attention_values_times(
    const float *scores, size_t length, size_t padded, const float *value, size_t stride, size_t head_size,
    float *context, size_t context_stride) {
    size_t blocked = head_size / attention_values * attention_values;
    for (size_t i = 0; i < length; i += 2) {
        size_t rows = length - i < 2 ? 1 : 2;
        const float *p0 = scores + i * padded, *p1 = scores + (i + rows - 1) * padded;
        for (size_t c = 0; c < blocked; c += attention_values) {
            float acc0[attention_values] = {0}, acc1[attention_values] = {0};
            for (size_t j = 0; j < length; j++) {
                const float *v = value + j * stride + c;
                float a = p0[j], b = p1[j];
                for (size_t t = 0; t < attention_values; t++) {
                    acc0[t] += a * v[t];
                    acc1[t] += b * v[t];
                }
            }
            for (size_t t = 0; t < attention_values; t++) context[i * context_stride + c + t] = acc0[t];
            if (rows == 2)
                for (size_t t = 0; t < attention_values; t++) context[(i + 1) * context_stride + c + t] = acc1[t];
        }
        for (size_t r = 0; r < rows; r++)  // head sizes that are not a multiple of the block
            for (size_t c = blocked; c < head_size; c++) {
                float sum = 0;
                for (size_t j = 0; j < length; j++) sum += scores[(i + r) * padded + j] * value[j * stride + c];
                context[(i + r) * context_stride + c] = sum;
            }
    }
}

KINDRED_INLINE void attention_body(
    const float *qkv, size_t stride, size_t length, size_t heads, size_t head_size, size_t hidden,
    float scale, float *context, size_t context_stride, float *scratch) {
    size_t padded = padded_length(length);
    float *keys = scratch;                        // head_size × padded
    float *scores = scratch + head_size * padded;  // length × padded
    for (size_t h = 0; h < heads; h++) {
        const float *query = qkv + h * head_size, *key = query + hidden, *value = query + 2 * hidden;
        for (size_t c = 0; c < head_size; c++) {
            for (size_t j = 0; j < length; j++) keys[c * padded + j] = key[j * stride + c];
            for (size_t j = length; j < padded; j++) keys[c * padded + j] = 0;
        }
        attention_scores(query, stride, keys, length, padded, head_size, scale, scores);
        softmax_rows_body(scores, length, length, padded);
        attention_values_times(scores, length, padded, value, stride, head_size, context + h * head_size, context_stride);
    }
}

typedef struct {
    void (*attention)(const float *, size_t, size_t, size_t, size_t, size_t, float, float *, size_t, float *);
    void (*bias_gelu)(float *, const float *, size_t, size_t);
    void (*add_bias)(float *, const float *, size_t, size_t);
    void (*softmax_rows)(float *, size_t, size_t, size_t);
    void (*add_layer_norm)(float *, const float *, const float *, size_t, size_t, const float *, const float *, float);
} transformer_kernels;

static void attention_baseline(
    const float *qkv, size_t st, size_t l, size_t n, size_t d, size_t h, float sc, float *ctx, size_t cs, float *scr) {
    attention_body(qkv, st, l, n, d, h, sc, ctx, cs, scr);
}
static void bias_gelu_baseline(float *x, const float *b, size_t r, size_t c) { bias_gelu_body(x, b, r, c); }
static void add_bias_baseline(float *x, const float *b, size_t r, size_t c) { add_bias_body(x, b, r, c); }
static void softmax_rows_baseline(float *x, size_t r, size_t c, size_t s) { softmax_rows_body(x, r, c, s); }
static void add_layer_norm_baseline(
    float *h, const float *u, const float *b, size_t r, size_t c, const float *g, const float *be, float e) {
    add_layer_norm_body(h, u, b, r, c, g, be, e);
}

#if defined(__x86_64__)
#define KINDRED_AVX2 __attribute__((target("avx2,fma")))
KINDRED_AVX2 static void attention_avx2(
    const float *qkv, size_t st, size_t l, size_t n, size_t d, size_t h, float sc, float *ctx, size_t cs, float *scr) {
    attention_body(qkv, st, l, n, d, h, sc, ctx, cs, scr);
}
KINDRED_AVX2 static void bias_gelu_avx2(float *x, const float *b, size_t r, size_t c) { bias_gelu_body(x, b, r, c); }
KINDRED_AVX2 static void add_bias_avx2(float *x, const float *b, size_t r, size_t c) { add_bias_body(x, b, r, c); }
KINDRED_AVX2 static void softmax_rows_avx2(float *x, size_t r, size_t c, size_t s) { softmax_rows_body(x, r, c, s); }
KINDRED_AVX2 static void add_layer_norm_avx2(
    float *h, const float *u, const float *b, size_t r, size_t c, const float *g, const float *be, float e) {
    add_layer_norm_body(h, u, b, r, c, g, be, e);
}
static const transformer_kernels builds[kindred_levels] = {
    {attention_baseline, bias_gelu_baseline, add_bias_baseline, softmax_rows_baseline, add_layer_norm_baseline},
    {attention_avx2, bias_gelu_avx2, add_bias_avx2, softmax_rows_avx2, add_layer_norm_avx2},
    {0, 0, 0, 0, 0},
};
#else
static const transformer_kernels builds[kindred_levels] = {
    {attention_baseline, bias_gelu_baseline, add_bias_baseline, softmax_rows_baseline, add_layer_norm_baseline},
    {0},
    {0}};
#endif
static const int built[kindred_levels] = {1, builds[1].bias_gelu != 0, builds[2].bias_gelu != 0};
static int chosen = 0;

__attribute__((constructor))
static void choose_transformer_kernels(void) { chosen = kindred_chosen_level(built); }

static const transformer_kernels *kernels_for(int level) {
    return level < 0 ? &builds[chosen] : (kindred_level_runs(level, built) ? &builds[level] : 0);
}

const char *kindred_transformer_kernel(void) { return kindred_level_names[chosen]; }

size_t kindred_attention_scratch(size_t length, size_t head_size) {
    size_t padded = padded_length(length);
    return (head_size + length) * padded;
}

int kindred_transformer_kernel_runs(int level) { return level < 0 || kindred_level_runs(level, built); }

void kindred_attention(
    int level, const float *qkv, size_t stride, size_t length, size_t heads, size_t head_size, size_t hidden,
    float scale, float *context, size_t context_stride, float *scratch) {
    kernels_for(level)->attention(qkv, stride, length, heads, head_size, hidden, scale, context, context_stride, scratch);
}

void kindred_bias_gelu(int level, float *x, const float *bias, size_t rows, size_t columns) {
    kernels_for(level)->bias_gelu(x, bias, rows, columns);
}

void kindred_add_bias(int level, float *x, const float *bias, size_t rows, size_t columns) {
    kernels_for(level)->add_bias(x, bias, rows, columns);
}

void kindred_softmax_rows(int level, float *x, size_t rows, size_t columns, size_t stride) {
    kernels_for(level)->softmax_rows(x, rows, columns, stride);
}

void kindred_add_layer_norm(
    int level, float *hidden, const float *update, const float *bias, size_t rows, size_t columns,
    const float *gamma, const float *beta, float epsilon) {
    kernels_for(level)->add_layer_norm(hidden, update, bias, rows, columns, gamma, beta, epsilon);
}
