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

/// The keyword scan's first stage (`KeywordScanner.marks`): writes to `out`, ascending, every
/// even offset `e` (`e + 2 < n`) of `p[0..<n]` whose 3-byte gram, each byte `| 0x20`, hashes
/// (`(gram * 2654435761) >> 16`, 32-bit) to a nonzero entry of `table` (65536 bytes). Stops
/// before writing more than `cap` (at least 16) and stores the offset to call again from in
/// `*resume` (`n` when done). With AVX2, 16 grams per step: hashed in two multiplies, looked up
/// in the byte table (a gather is slower here), one branch per 32 bytes.
size_t rtcdiag_gram_candidates(const uint8_t *p, size_t n, const uint8_t *table, uint32_t *out, size_t cap,
                               size_t *resume);

/// The same, one gram at a time: what CPUs without AVX2 run (for tests to compare).
size_t rtcdiag_gram_candidates_portable(const uint8_t *p, size_t n, const uint8_t *table, uint32_t *out, size_t cap,
                                        size_t *resume);

#endif
