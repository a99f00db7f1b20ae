#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "nodeguard/kmsg.h"

/* Copies at most size-1 bytes of [p, p+n) into out. */
static void copy_field(char *out, size_t size, const char *p, size_t n)
{
    if (n >= size)
        n = size - 1;
    memcpy(out, p, n);
    out[n] = '\0';
}

/* The last occurrence of needle in [hay, hay+len). */
static const char *rfind(const char *hay, size_t len, const char *needle)
{
    size_t nl = strlen(needle);
    if (nl > len)
        return NULL;
    for (size_t i = len - nl + 1; i-- > 0;)
        if (memcmp(hay + i, needle, nl) == 0)
            return hay + i;
    return NULL;
}

static bool parse_i64(const char *p, const char *end, int64_t *ret)
{
    char num[24];
    size_t n = 0;
    if (p < end && (*p == '-' || *p == '+'))
        num[n++] = *p++;
    while (p < end && *p >= '0' && *p <= '9' && n < sizeof(num) - 1)
        num[n++] = *p++;
    num[n] = '\0';
    if (n == 0 || (n == 1 && (num[0] == '-' || num[0] == '+')))
        return false;
    *ret = strtoll(num, NULL, 10);
    return true;
}

/* "KEY:NUMkB" anywhere after from. */
static int64_t kb_field(const char *from, const char *end, const char *key)
{
    size_t kl = strlen(key);
    for (const char *p = from; p + kl <= end; p++)
        if (memcmp(p, key, kl) == 0) {
            int64_t v;
            return parse_i64(p + kl, end, &v) ? v : -1;
        }
    return -1;
}

/* oom-kill:...,oom_memcg=A,task_memcg=B,task=NAME,pid=N,uid=N — parsed from the right, since a
 * cgroup path or a task name may itself contain commas. */
static int parse_oom_kill(const char *msg, size_t len, ng_kmsg_oom *o)
{
    const char *uid = rfind(msg, len, ",uid=");
    const char *pid = uid ? rfind(msg, (size_t)(uid - msg), ",pid=") : NULL;
    const char *task = pid ? rfind(msg, (size_t)(pid - msg), ",task=") : NULL;
    const char *tmem = task ? rfind(msg, (size_t)(task - msg), ",task_memcg=") : NULL;
    const char *omem = tmem ? rfind(msg, (size_t)(tmem - msg), "oom_memcg=") : NULL;
    if (!omem || !parse_i64(uid + 5, msg + len, &o->uid) || !parse_i64(pid + 5, uid, &o->pid))
        return NG_KMSG_OTHER;
    /* A cgroup v2 name may hold ",task_memcg=/..." (only '/' and newlines are refused): a container
     * that can make sub-cgroups could then name another container's memcg here. The kernel prints
     * each key once; a line with either twice is not trusted at all. */
    if (memmem(msg, len, "oom_memcg=", 10) != omem || memmem(msg, len, ",task_memcg=", 12) != tmem)
        return NG_KMSG_OTHER;
    copy_field(o->task, sizeof(o->task), task + 6, (size_t)(pid - task - 6));
    copy_field(o->task_memcg, sizeof(o->task_memcg), tmem + 12, (size_t)(task - tmem - 12));
    copy_field(o->oom_memcg, sizeof(o->oom_memcg), omem + 10, (size_t)(tmem - omem - 10));
    return o->kind = NG_KMSG_OOM_KILL;
}

/* ...Killed process PID (NAME) total-vm:NkB, anon-rss:NkB, file-rss:NkB, shmem-rss:NkB, UID:N
 * pgtables:NkB oom_score_adj:N. NAME is the victim's comm, which the process chose (prctl
 * PR_SET_NAME, up to 15 bytes): "Killed process " is found from the left, where the kernel's text
 * comes before NAME, and the sizes from the right, after it. */
/* Where "Killed process " may stand: at the start, or after one of the prefixes mm/oom_kill.c
 * gives __oom_kill_process(). Found anywhere else it is quoted user input (a kernel message that
 * echoes a mount option, a file name), which would forge a kill. */
static const char *killed_process_at(const char *msg, size_t len)
{
    static const char *const prefixes[] = {
        "", "Memory cgroup out of memory: ", "Out of memory: ", "Out of memory (oom_kill_allocating_task): "};
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        size_t n = strlen(prefixes[i]);
        if (len > n + 15 && memcmp(msg, prefixes[i], n) == 0 && memcmp(msg + n, "Killed process ", 15) == 0)
            return msg + n;
    }
    return NULL;
}

static int parse_killed(const char *msg, size_t len, ng_kmsg_oom *o)
{
    const char *end = msg + len;
    const char *k = killed_process_at(msg, len);
    if (!k)
        return NG_KMSG_OTHER;
    const char *p = k + 15;
    const char *sizes = rfind(p, (size_t)(end - p), ") total-vm:");
    const char *open = memchr(p, '(', (size_t)(end - p));
    if (!sizes || !open || open > sizes || !parse_i64(p, open, &o->pid))
        return NG_KMSG_OTHER;
    copy_field(o->task, sizeof(o->task), open + 1, (size_t)(sizes - open - 1));
    o->total_vm_kb = kb_field(sizes, end, "total-vm:");
    o->anon_rss_kb = kb_field(sizes, end, "anon-rss:");
    o->file_rss_kb = kb_field(sizes, end, "file-rss:");
    o->shmem_rss_kb = kb_field(sizes, end, "shmem-rss:");
    o->pgtables_kb = kb_field(sizes, end, "pgtables:");
    o->oom_score_adj = kb_field(sizes, end, "oom_score_adj:");
    o->uid = kb_field(sizes, end, "UID:");
    return o->kind = NG_KMSG_KILLED_PROCESS;
}

/* 1 to max_digits decimal digits at *p (no sign, no space), advancing *p past them. */
static bool parse_digits(const char **p, const char *end, size_t max_digits, uint64_t *ret)
{
    uint64_t v = 0;
    size_t n = 0;
    for (; *p < end && **p >= '0' && **p <= '9'; (*p)++, n++) {
        if (n == max_digits)
            return false;
        v = v * 10 + (uint64_t)(**p - '0');
    }
    *ret = v;
    return n > 0;
}

static bool skip_literal(const char **p, const char *end, const char *lit)
{
    size_t n = strlen(lit);
    if ((size_t)(end - *p) < n || memcmp(*p, lit, n) != 0)
        return false;
    *p += n;
    return true;
}

/* "memory: usage %llukB, limit %llukB, failcnt %lu", the whole message, exactly as
 * mm/memcontrol.c mem_cgroup_print_oom_meminfo() prints it for the OOM memcg. Sizes take at most 18
 * digits (below 10^18 kB, so the bytes can be told to overflow), failcnt at most 20 (%lu). Anything
 * else, or longer, is not this line. */
static int parse_memcg_usage(const char *msg, size_t len, ng_kmsg_oom *o)
{
    const char *p = msg, *end = msg + len;
    uint64_t usage, limit, failcnt;
    if (!skip_literal(&p, end, "memory: usage ") || !parse_digits(&p, end, 18, &usage) ||
        !skip_literal(&p, end, "kB, limit ") || !parse_digits(&p, end, 18, &limit) ||
        !skip_literal(&p, end, "kB, failcnt ") || !parse_digits(&p, end, 20, &failcnt) || p != end)
        return NG_KMSG_OTHER;
    o->usage_kb = (int64_t)usage;
    o->limit_kb = (int64_t)limit;
    return o->kind = NG_KMSG_MEMCG_USAGE;
}

/* "Tasks in %s are going to be killed due to memory.oom.group set", the whole message, as
 * mm/memcontrol.c mem_cgroup_print_oom_group() prints it (pr_cont'ed into one record). */
static int parse_oom_group(const char *msg, size_t len, ng_kmsg_oom *o)
{
    static const char head[] = "Tasks in ", tail[] = " are going to be killed due to memory.oom.group set";
    size_t h = sizeof(head) - 1, t = sizeof(tail) - 1;
    if (len <= h + t || memcmp(msg, head, h) != 0 || memcmp(msg + len - t, tail, t) != 0 || msg[h] != '/')
        return NG_KMSG_OTHER;
    copy_field(o->oom_memcg, sizeof(o->oom_memcg), msg + h, len - h - t);
    return o->kind = NG_KMSG_OOM_GROUP;
}

int ng_kmsg_parse(const char *record, size_t len, ng_kmsg_oom *ret)
{
    const char *semi = memchr(record, ';', len);
    if (!semi)
        return -EINVAL;
    /* header: prio,seq,ts_us,flags[,...] */
    int64_t prio, seq, ts;
    const char *p = record, *comma = memchr(p, ',', (size_t)(semi - p));
    if (!comma || !parse_i64(p, comma, &prio))
        return -EINVAL;
    p = comma + 1;
    comma = memchr(p, ',', (size_t)(semi - p));
    if (!comma || !parse_i64(p, comma, &seq))
        return -EINVAL;
    p = comma + 1;
    comma = memchr(p, ',', (size_t)(semi - p));
    if (!comma || !parse_i64(p, comma, &ts) || seq < 0 || ts < 0)
        return -EINVAL;
    const char *msg = semi + 1;
    const char *nl = memchr(msg, '\n', len - (size_t)(msg - record));
    size_t mlen = nl ? (size_t)(nl - msg) : len - (size_t)(msg - record);
    ng_kmsg_oom o;
    memset(&o, 0, sizeof(o));
    o.pid = o.uid = o.total_vm_kb = o.anon_rss_kb = o.file_rss_kb = o.shmem_rss_kb = o.pgtables_kb = -1;
    o.oom_score_adj = 0;
    o.usage_kb = o.limit_kb = -1;
    o.seq = (uint64_t)seq;
    o.ts_us = (uint64_t)ts;
    int kind = NG_KMSG_OTHER;
    /* prio is facility * 8 + level: facility 0 is the kernel's own, which no writer of /dev/kmsg
     * can claim. */
    bool kernel = prio >= 0 && prio < 8;
    o.kernel = kernel;
    /* "COMM invoked oom-killer:" first: COMM (at most 15 bytes, the process's choice) may itself
     * begin like one of the other lines. */
    size_t head = mlen < 15 + 30 ? mlen : 15 + 30;
    if (!kernel)
        ; /* another facility: never an OOM line, whatever it says */
    else if (memmem(msg, head, " invoked oom-killer: gfp_mask=", 30))
        kind = NG_KMSG_OOM_REPORT;
    else if (mlen > 9 && memcmp(msg, "oom-kill:", 9) == 0)
        kind = parse_oom_kill(msg, mlen, &o);
    else if (killed_process_at(msg, mlen))
        kind = parse_killed(msg, mlen, &o);
    else if (mlen > 14 && memcmp(msg, "memory: usage ", 14) == 0)
        kind = parse_memcg_usage(msg, mlen, &o);
    else if (mlen > 9 && memcmp(msg, "Tasks in ", 9) == 0)
        kind = parse_oom_group(msg, mlen, &o);
    o.kind = (ng_kmsg_kind)kind;
    *ret = o;
    return kind;
}

int ng_kmsg_open(const char *path)
{
    int fd = open(path ? path : "/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return -errno;
    /* Only what happens from now on: the container's kills, not the boot's. */
    if (lseek(fd, 0, SEEK_END) < 0 && errno != ESPIPE) {
        int e = errno;
        close(fd);
        return -e;
    }
    return fd;
}

#define GROUP_WINDOW_US 1000000

int ng_kmsg_next_oom(int fd, ng_kmsg_track *track, ng_kmsg_oom *ret)
{
    char buf[8192];
    for (int i = 0; i < 100000; i++) {
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        if (n < 0 && errno == EPIPE)
            continue; /* overwritten before we read it: the next read returns the oldest left */
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return 0;
        if (n < 0)
            return -errno;
        if (n == 0)
            return 0;
        buf[n] = '\0';
        int kind = ng_kmsg_parse(buf, (size_t)n, ret);
        /* A group's members are the kernel's "Killed process" records after its "Tasks in" line,
         * printed in one pass under oom_lock. The next OOM's lines (below) or a second's gap end
         * the group; other kernel records do not: another CPU's printk can fall between two
         * members, as can the pass's own "OOM victim N is already exiting" for a member whose
         * memory is gone (no kill: the kernel neither kills nor counts it). A later, rate-limited
         * kill elsewhere within the second prints "Killed process" alone and reads as a member:
         * the watcher takes a member only while its cgroup's oom_kill counter has a kill for it. */
        if (track->in_group && ret->kernel && (int64_t)(ret->ts_us - track->group_ts_us) > GROUP_WINDOW_US)
            track->in_group = false;
        if (kind == NG_KMSG_MEMCG_USAGE) {
            *track = (ng_kmsg_track){.pending = true, .usage_kb = ret->usage_kb, .limit_kb = ret->limit_kb};
            continue;
        }
        if (kind == NG_KMSG_OOM_REPORT) {
            track->pending = track->in_group = false;
            continue;
        }
        if (kind == NG_KMSG_OOM_GROUP) {
            /* mm/oom_kill.c oom_kill_process(): the victim's kill, this line, then each member's. */
            track->in_group = true;
            track->group_ts_us = ret->ts_us;
            snprintf(track->group_memcg, sizeof(track->group_memcg), "%s", ret->oom_memcg);
            continue;
        }
        if (kind == NG_KMSG_KILLED_PROCESS && track->in_group)
            snprintf(ret->oom_memcg, sizeof(ret->oom_memcg), "%s", track->group_memcg);
        if (kind == NG_KMSG_OOM_KILL) {
            /* mm/oom_kill.c dump_header() prints the usage line, then (dump_oom_summary) this one,
             * under oom_lock: the pending usage is this kill's. */
            if (track->pending) {
                ret->usage_kb = track->usage_kb;
                ret->limit_kb = track->limit_kb;
            }
            track->pending = track->in_group = false;
        }
        if (kind > 0)
            return kind;
    }
    return 0; /* bounded: a flood of messages is picked up at the next call */
}
