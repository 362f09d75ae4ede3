#include <zlib.h>

/* inflateInit2 is a function-like macro, which Swift does not import. 15 + 32: any window size,
   and detect a gzip or zlib header by itself. */
static inline int rtcdiag_inflateInit_auto(z_streamp strm) {
    return inflateInit2(strm, 15 + 32);
}

/* deflateInit2 with a gzip header (15 + 16), for writing test fixtures and benchmark inputs. */
static inline int rtcdiag_deflateInit_gzip(z_streamp strm, int level) {
    return deflateInit2(strm, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}
