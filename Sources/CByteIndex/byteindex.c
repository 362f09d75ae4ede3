#define _GNU_SOURCE
#include "byteindex.h"
#include <string.h>

ptrdiff_t rtcdiag_last_byte(const uint8_t *p, size_t n, uint8_t byte) {
#if defined(__GLIBC__)
    const uint8_t *at = memrchr(p, byte, n);
    return at ? at - p : -1;
#else
    while (n > 0) {
        n--;
        if (p[n] == byte) return (ptrdiff_t)n;
    }
    return -1;
#endif
}

#if defined(__SSE2__)
#include <emmintrin.h>

size_t rtcdiag_byte_offsets(const uint8_t *p, size_t n, uint8_t byte, int32_t *out, size_t cap) {
    size_t count = 0, i = 0;
    if (cap == 0) return 0;
    const __m128i pattern = _mm_set1_epi8((char)byte);
    // 64 bytes per step; most steps of log text hold no LF or one.
    for (; i + 64 <= n; i += 64) {
        __m128i a = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + i)), pattern);
        __m128i b = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + i + 16)), pattern);
        __m128i c = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + i + 32)), pattern);
        __m128i d = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + i + 48)), pattern);
        uint64_t mask = (uint64_t)(uint32_t)_mm_movemask_epi8(a) | (uint64_t)(uint32_t)_mm_movemask_epi8(b) << 16
                      | (uint64_t)(uint32_t)_mm_movemask_epi8(c) << 32 | (uint64_t)(uint32_t)_mm_movemask_epi8(d) << 48;
        while (mask) {
            out[count++] = (int32_t)(i + (size_t)__builtin_ctzll(mask));
            if (count == cap) return count;
            mask &= mask - 1;
        }
    }
    for (; i < n; i++) {
        if (p[i] == byte) {
            out[count++] = (int32_t)i;
            if (count == cap) return count;
        }
    }
    return count;
}

#else

size_t rtcdiag_byte_offsets(const uint8_t *p, size_t n, uint8_t byte, int32_t *out, size_t cap) {
    size_t count = 0, i = 0;
    while (i < n && count < cap) {
        const uint8_t *hit = memchr(p + i, byte, n - i);
        if (!hit) break;
        out[count++] = (int32_t)(hit - p);
        i = (size_t)(hit - p) + 1;
    }
    return count;
}

#endif

// MARK: - Keyword gram candidates

static inline uint32_t gram_hash(uint32_t gram) { return ((gram | 0x202020u) * 2654435761u) >> 16; }

/// One even offset at a time from `e`: the tail, and CPUs without AVX2.
static size_t gram_candidates_scalar(const uint8_t *p, size_t n, size_t e, const uint8_t *table, uint32_t *out,
                                     size_t cap, size_t count, size_t *resume) {
    for (; e + 2 < n; e += 2) {
        if (count == cap) { *resume = e; return count; }
        uint32_t gram = (uint32_t)p[e] | (uint32_t)p[e + 1] << 8 | (uint32_t)p[e + 2] << 16;
        if (table[gram_hash(gram)]) out[count++] = (uint32_t)e;
    }
    *resume = n;
    return count;
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

__attribute__((target("avx2")))
static size_t gram_candidates_avx2(const uint8_t *p, size_t n, const uint8_t *table, uint32_t *out, size_t cap,
                                   size_t *resume) {
    const __m256i low3 = _mm256_set1_epi32(0x00FFFFFF), fold = _mm256_set1_epi32(0x202020);
    const __m256i mul = _mm256_set1_epi32((int)2654435761u);
    size_t count = 0, e = 0;
    for (; e + 34 <= n; e += 32) {  // the loads reach p[e + 33]
        if (cap - count < 16) { *resume = e; return count; }
        // Lane i of h0: the gram at e + 4i; of h1: at e + 4i + 2. Packed to 16 bits, each
        // 128-bit half holds h0's four lanes then h1's.
        __m256i v0 = _mm256_loadu_si256((const __m256i *)(p + e));
        __m256i v1 = _mm256_loadu_si256((const __m256i *)(p + e + 2));
        __m256i h0 = _mm256_srli_epi32(_mm256_mullo_epi32(_mm256_or_si256(_mm256_and_si256(v0, low3), fold), mul), 16);
        __m256i h1 = _mm256_srli_epi32(_mm256_mullo_epi32(_mm256_or_si256(_mm256_and_si256(v1, low3), fold), mul), 16);
        __m256i packed = _mm256_packus_epi32(h0, h1);
        __m128i lo = _mm256_castsi256_si128(packed), hi = _mm256_extracti128_si256(packed, 1);
        uint64_t q[4] = {(uint64_t)_mm_cvtsi128_si64(lo), (uint64_t)_mm_extract_epi64(lo, 1),
                         (uint64_t)_mm_cvtsi128_si64(hi), (uint64_t)_mm_extract_epi64(hi, 1)};
        uint8_t any = 0;
        for (int j = 0; j < 4; j++) {
            any |= table[(uint16_t)q[j]] | table[(uint16_t)(q[j] >> 16)] | table[(uint16_t)(q[j] >> 32)] | table[q[j] >> 48];
        }
        if (!any) continue;
        // q[0]: grams at 0, 4, 8, 12; q[1]: 2, 6, 10, 14; q[2]: 16 … 28; q[3]: 18 … 30.
        uint32_t mask = 0;  // bit k: the gram at e + 2k
        for (int j = 0; j < 4; j++) {
            int base = (j >> 1) * 8 + (j & 1);
            for (int i = 0; i < 4; i++) mask |= (uint32_t)(table[(uint16_t)(q[j] >> (16 * i))] != 0) << (base + 2 * i);
        }
        while (mask) {
            out[count++] = (uint32_t)(e + 2 * (size_t)__builtin_ctz(mask));
            mask &= mask - 1;
        }
    }
    return gram_candidates_scalar(p, n, e, table, out, cap, count, resume);
}
#endif

size_t rtcdiag_gram_candidates(const uint8_t *p, size_t n, const uint8_t *table, uint32_t *out, size_t cap,
                               size_t *resume) {
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
    if (__builtin_cpu_supports("avx2")) return gram_candidates_avx2(p, n, table, out, cap, resume);
#endif
    return gram_candidates_scalar(p, n, 0, table, out, cap, 0, resume);
}

size_t rtcdiag_gram_candidates_portable(const uint8_t *p, size_t n, const uint8_t *table, uint32_t *out, size_t cap,
                                        size_t *resume) {
    return gram_candidates_scalar(p, n, 0, table, out, cap, 0, resume);
}
