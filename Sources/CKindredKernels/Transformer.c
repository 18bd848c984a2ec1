// The element-wise steps of a BERT layer between its matrix products (those run in the BLAS):
// bias + GELU, row softmax, and bias + residual + layer norm. Each is a plain loop over a
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

KINDRED_INLINE void softmax_rows_body(float *x, size_t rows, size_t columns, size_t stride) {
    for (size_t i = 0; i < rows; i++) {
        float *row = x + i * stride;
        float top = row[0];
        for (size_t j = 1; j < columns; j++) top = fmaxf(top, row[j]);
        float sum = 0;
        for (size_t j = 0; j < columns; j++) {
            float e = exp_approx(row[j] - top);
            row[j] = e;
            sum += e;
        }
        float inverse = 1.0f / sum;
        for (size_t j = 0; j < columns; j++) row[j] *= inverse;
    }
}

KINDRED_INLINE void add_layer_norm_body(
    float *hidden, const float *update, const float *bias, size_t rows, size_t columns,
    const float *gamma, const float *beta, float epsilon) {
    for (size_t i = 0; i < rows; i++) {
        float *row = hidden + i * columns;
        const float *delta = update + i * columns;
        float sum = 0;
        for (size_t j = 0; j < columns; j++) {
            row[j] += delta[j] + bias[j];
            sum += row[j];
        }
        float mean = sum / (float)columns;
        float squares = 0;
        for (size_t j = 0; j < columns; j++) {
            float d = row[j] - mean;
            squares += d * d;
        }
        float inverse = 1.0f / sqrtf(squares / (float)columns + epsilon);
        for (size_t j = 0; j < columns; j++) row[j] = (row[j] - mean) * inverse * gamma[j] + beta[j];
    }
}

typedef struct {
    void (*bias_gelu)(float *, const float *, size_t, size_t);
    void (*add_bias)(float *, const float *, size_t, size_t);
    void (*softmax_rows)(float *, size_t, size_t, size_t);
    void (*add_layer_norm)(float *, const float *, const float *, size_t, size_t, const float *, const float *, float);
} transformer_kernels;

static void bias_gelu_baseline(float *x, const float *b, size_t r, size_t c) { bias_gelu_body(x, b, r, c); }
static void add_bias_baseline(float *x, const float *b, size_t r, size_t c) { add_bias_body(x, b, r, c); }
static void softmax_rows_baseline(float *x, size_t r, size_t c, size_t s) { softmax_rows_body(x, r, c, s); }
static void add_layer_norm_baseline(
    float *h, const float *u, const float *b, size_t r, size_t c, const float *g, const float *be, float e) {
    add_layer_norm_body(h, u, b, r, c, g, be, e);
}

#if defined(__x86_64__)
#define KINDRED_AVX2 __attribute__((target("avx2,fma")))
KINDRED_AVX2 static void bias_gelu_avx2(float *x, const float *b, size_t r, size_t c) { bias_gelu_body(x, b, r, c); }
KINDRED_AVX2 static void add_bias_avx2(float *x, const float *b, size_t r, size_t c) { add_bias_body(x, b, r, c); }
KINDRED_AVX2 static void softmax_rows_avx2(float *x, size_t r, size_t c, size_t s) { softmax_rows_body(x, r, c, s); }
KINDRED_AVX2 static void add_layer_norm_avx2(
    float *h, const float *u, const float *b, size_t r, size_t c, const float *g, const float *be, float e) {
    add_layer_norm_body(h, u, b, r, c, g, be, e);
}
static const transformer_kernels builds[kindred_levels] = {
    {bias_gelu_baseline, add_bias_baseline, softmax_rows_baseline, add_layer_norm_baseline},
    {bias_gelu_avx2, add_bias_avx2, softmax_rows_avx2, add_layer_norm_avx2},
    {0, 0, 0, 0},
};
#else
static const transformer_kernels builds[kindred_levels] = {
    {bias_gelu_baseline, add_bias_baseline, softmax_rows_baseline, add_layer_norm_baseline}, {0}, {0}};
#endif
static const int built[kindred_levels] = {1, builds[1].bias_gelu != 0, builds[2].bias_gelu != 0};
static int chosen = 0;

__attribute__((constructor))
static void choose_transformer_kernels(void) { chosen = kindred_chosen_level(built); }

static const transformer_kernels *kernels_for(int level) {
    return level < 0 ? &builds[chosen] : (kindred_level_runs(level, built) ? &builds[level] : 0);
}

const char *kindred_transformer_kernel(void) { return kindred_level_names[chosen]; }

int kindred_transformer_kernel_runs(int level) { return level < 0 || kindred_level_runs(level, built); }

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
