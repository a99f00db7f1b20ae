#include <ctype.h>
#include <limits.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "nodeguard/cleanup.h"
#include "nodeguard/util.h"

ssize_t ng_read_retry(int fd, void *buf, size_t len)
{
    for (;;) {
        ssize_t n = read(fd, buf, len);
        if (n >= 0)
            return n;
        if (errno != EINTR)
            return -errno;
    }
}

int ng_read_fd_bounded(int fd, size_t max, char **ret_buf, size_t *ret_len, bool *ret_truncated,
                       ng_error **err)
{
    size_t cap = 16384, len = 0;
    cleanup_free char *buf = malloc(cap + 1);
    if (!buf)
        return ng_error_set(err, ENOMEM, "out of memory");
    bool truncated = false;
    for (;;) {
        if (len == max) {
            /* One probe byte tells "exactly max" from "more than max" without reading the rest. */
            char probe;
            ssize_t n = ng_read_retry(fd, &probe, 1);
            if (n < 0)
                return ng_error_set(err, (int)-n, "read: %s", strerror((int)-n));
            if (n == 1) {
                truncated = true;
                /* Keep the probe byte: a caller that passes input through must not lose it. */
                char *grown = realloc(buf, len + 2);
                if (!grown)
                    return ng_error_set(err, ENOMEM, "out of memory");
                buf = grown;
                buf[len++] = probe;
            }
            break;
        }
        if (len == cap) {
            size_t ncap = cap * 2 > max ? max : cap * 2;
            char *grown = realloc(buf, ncap + 1);
            if (!grown)
                return ng_error_set(err, ENOMEM, "out of memory");
            buf = grown;
            cap = ncap;
        }
        ssize_t n = ng_read_retry(fd, buf + len, cap - len);
        if (n < 0)
            return ng_error_set(err, (int)-n, "read: %s", strerror((int)-n));
        if (n == 0)
            break;
        len += (size_t)n;
    }
    buf[len] = '\0';
    *ret_len = len;
    *ret_truncated = truncated;
    *ret_buf = NG_TAKE_PTR(buf);
    return 0;
}

int ng_write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int ng_copy_fd(int in, int out)
{
    char buf[65536];
    for (;;) {
        ssize_t n = ng_read_retry(in, buf, sizeof(buf));
        if (n < 0)
            return (int)n;
        if (n == 0)
            return 0;
        int r = ng_write_all(out, buf, (size_t)n);
        if (r < 0)
            return r;
    }
}

int ng_parse_int64(const char *s, int64_t *ret)
{
    if (!s || !*s)
        return -EINVAL;
    const char *p = s;
    if (*p == '-')
        p++;
    if (!isdigit((unsigned char)*p))
        return -EINVAL;
    errno = 0;
    char *end = NULL;
    long long v = strtoll(s, &end, 10);
    if (errno == ERANGE)
        return -ERANGE;
    if (errno != 0 || *end != '\0')
        return -EINVAL;
    *ret = v;
    return 0;
}

int ng_parse_size(const char *s, uint64_t *ret_bytes)
{
    if (!s || !isdigit((unsigned char)*s))
        return -EINVAL;
    errno = 0;
    char *end = NULL;
    double v = strtod(s, &end);
    if (errno != 0 || end == s || !isfinite(v) || v < 0)
        return -EINVAL;
    uint64_t mult = 1;
    char u = (char)toupper((unsigned char)*end);
    if (u) {
        const char *units = "KMGT";
        const char *at = strchr(units, u);
        if (!at)
            return -EINVAL;
        mult = 1ULL << (10 * (at - units + 1));
        end++;
        if (*end == 'i' || *end == 'I')
            end++;
        if (*end == 'b' || *end == 'B')
            end++;
    } else if (strchr(s, '.')) {
        return -EINVAL; /* fractional bytes make no sense */
    }
    if (*end != '\0')
        return -EINVAL;
    double bytes = v * (double)mult;
    if (bytes >= 9.2e18)
        return -ERANGE;
    *ret_bytes = (uint64_t)bytes;
    return 0;
}

int ng_parse_bool(const char *s, bool *ret)
{
    static const char *const yes[] = {"1", "true", "yes", "on"};
    static const char *const no[] = {"0", "false", "no", "off"};
    if (!s)
        return -EINVAL;
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *ret = true;
            return 0;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *ret = false;
            return 0;
        }
    }
    return -EINVAL;
}

void ng_format_bytes(int64_t bytes, char *out, size_t size)
{
    if (bytes < 0)
        snprintf(out, size, "-");
    else if (bytes >= (1LL << 30))
        snprintf(out, size, "%.1f GiB", (double)bytes / (1 << 30));
    else
        snprintf(out, size, "%lld MiB", (long long)(bytes >> 20));
}

bool ng_str_ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && strcmp(s + n - t, tail) == 0;
}

const char *ng_basename(const char *s)
{
    const char *slash = strrchr(s, '/');
    return slash ? slash + 1 : s;
}

int64_t ng_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t ng_monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void civil_from_days(int64_t days, int *ret_year, int *ret_month, int *ret_day)
{
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t doe = days - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t month = mp < 10 ? mp + 3 : mp - 9;
    *ret_year = (int)(yoe + era * 400 + (month <= 2));
    *ret_month = (int)month;
    *ret_day = (int)(doy - (153 * mp + 2) / 5 + 1);
}

void ng_timestamp_now(char *buf, size_t size)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ng_timestamp_format(&ts, buf, size);
}

void ng_timestamp_format(const struct timespec *ts, char *buf, size_t size)
{
    /* Neither strftime() nor gmtime_r(): both make glibc load /etc/localtime (gmtime_r through
     * tzset), a file read and parsed on every hook run for a UTC timestamp. */
    int64_t secs = ts->tv_sec, days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
    int64_t in_day = secs - days * 86400;
    int year, month, day;
    civil_from_days(days, &year, &month, &day);
    snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", year, month, day, (int)(in_day / 3600),
             (int)(in_day / 60 % 60), (int)(in_day % 60), ts->tv_nsec / 1000000);
}
