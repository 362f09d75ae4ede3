#include <zlib.h>

/* inflateInit2 is a function-like macro, which Swift does not import. 15 + 32: any window size,
   and detect a gzip or zlib header by itself. */
static inline int rtcdiag_inflateInit_auto(z_streamp strm) {
    return inflateInit2(strm, 15 + 32);
}
