#ifndef RTCDIAG_BYTEINDEX_H
#define RTCDIAG_BYTEINDEX_H

#include <stddef.h>
#include <stdint.h>

/// Writes the offsets of every `byte` in `p[0..<n]` to `out`, ascending, at most `cap` of them,
/// and returns how many it wrote. One pass over a whole decoded chunk (16 bytes per step where
/// SSE2 is there) instead of one `memchr` call per line: with lines of about a hundred bytes,
/// the calls cost more than the search.
size_t rtcdiag_byte_offsets(const uint8_t *p, size_t n, uint8_t byte, int32_t *out, size_t cap);

/// The offset of the last `byte` in `p[0..<n]`, or -1 (glibc's `memrchr` where there is one).
/// Finds where the line holding a keyword starts, searching back from the keyword.
ptrdiff_t rtcdiag_last_byte(const uint8_t *p, size_t n, uint8_t byte);

#endif
