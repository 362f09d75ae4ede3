// The buffer-less streaming API (ZSTD_decompressBegin / ZSTD_decompressContinue) is in the
// "static linking only" part of zstd.h; Debian's shared libzstd exports it.
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>
#include <zstd_errors.h>
