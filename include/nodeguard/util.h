#ifndef NODEGUARD_UTIL_H
#define NODEGUARD_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "nodeguard/error.h"

#define NG_MIB (1024LL * 1024LL)

/* read(2), retried when a signal interrupts it: the bytes read (0 at EOF) or a negative errno. */
ssize_t ng_read_retry(int fd, void *buf, size_t len);

/* Reads fd to EOF or to max bytes. The buffer is NUL-terminated. When the input is larger than max,
 * *ret_truncated is set and the first max bytes are returned so the caller can still pass them on. */
int ng_read_fd_bounded(int fd, size_t max, char **ret_buf, size_t *ret_len, bool *ret_truncated,
                       ng_error **err);

/* Writes all of buf, retrying on EINTR and short writes. */
int ng_write_all(int fd, const void *buf, size_t len);

/* Copies fd in to fd out until EOF, in constant memory. */
int ng_copy_fd(int in, int out);

/* Strict decimal integer: whole string, no sign unless allow_negative, no overflow. */
int ng_parse_int64(const char *s, int64_t *ret);

/* Memory sizes as operators write them: 536870912, 512M, 512MiB, 512MB, 1G, 1.5GiB, 2048k.
 * Units are binary (K/M/G/T = 2^10..2^40, with or without "i"/"B"); a bare number is bytes. */
int ng_parse_size(const char *s, uint64_t *ret_bytes);

/* "true"/"false"/"1"/"0"/"yes"/"no"/"on"/"off", case-insensitive. */
int ng_parse_bool(const char *s, bool *ret);

/* A size for people: "256 MiB" (whole MiB, rounded down), "1.5 GiB" from 1 GiB on, "-" when negative
 * (unknown). */
void ng_format_bytes(int64_t bytes, char *out, size_t size);

/* The part after the last '/', or s itself. */
const char *ng_basename(const char *s);

/* s ends with tail (byte for byte). */
bool ng_str_ends_with(const char *s, const char *tail);

/* Realtime in milliseconds since the epoch. */
int64_t ng_now_ms(void);
/* Milliseconds on the monotonic clock: for deadlines and intervals, which the wall clock can jump. */
int64_t ng_monotonic_ms(void);

/* RFC 3339 UTC with milliseconds, e.g. 2026-11-26T23:03:40.123Z, into buf (>= 32 bytes). */
void ng_timestamp_now(char *buf, size_t size);
/* The same for a given time: RFC 3339 UTC with milliseconds, 2026-11-27T03:04:05.678Z. */
struct timespec;
void ng_timestamp_format(const struct timespec *ts, char *buf, size_t size);

#endif
