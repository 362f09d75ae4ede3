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
