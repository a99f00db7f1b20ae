#include <arpa/inet.h>
#include <errno.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include "nodeguard/cleanup.h"
#include "nodeguard/fsutil.h"
#include "nodeguard/identity.h"
#include "nodeguard/procexit.h"

/* Offsets in a connector datagram: nlmsghdr, then cn_msg, then proc_event. */
#define CN_OFF(field)    (NLMSG_LENGTH(0) + offsetof(struct cn_msg, field))
#define EVENT_OFF(field) (CN_OFF(data) + offsetof(struct proc_event, field))

static int attach_filter(int fd, pid_t pid)
{
    /* Classic BPF loads words big-endian, hence htonl() on every constant. */
    struct sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, CN_OFF(id.idx)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, htonl(CN_IDX_PROC), 1, 0),
        BPF_STMT(BPF_RET | BPF_K, 0),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, EVENT_OFF(what)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, htonl(PROC_EVENT_EXIT), 1, 0),
        BPF_STMT(BPF_RET | BPF_K, 0),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, EVENT_OFF(event_data.exit.process_pid)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, htonl((uint32_t)pid), 1, 0),
        BPF_STMT(BPF_RET | BPF_K, 0),
        /* the process, not one of its threads: pid == tgid */
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, EVENT_OFF(event_data.exit.process_tgid)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, htonl((uint32_t)pid), 1, 0),
        BPF_STMT(BPF_RET | BPF_K, 0),
        BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
    };
    struct sock_fprog prog = {.len = sizeof(code) / sizeof(code[0]), .filter = code};
    return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog));
}

int ng_procexit_open(pid_t pid, ng_error **err)
{
    cleanup_close int fd = socket(PF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_CONNECTOR);
    if (fd < 0)
        return ng_error_set(err, errno, "proc connector socket: %s", strerror(errno));
    if (attach_filter(fd, pid) < 0)
        return ng_error_set(err, errno, "proc connector filter: %s", strerror(errno));
    struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = CN_IDX_PROC};
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
        return ng_error_set(err, errno, "proc connector bind: %s", strerror(errno));
    union {
        char buf[NLMSG_SPACE(sizeof(struct cn_msg) + sizeof(enum proc_cn_mcast_op))];
        struct nlmsghdr align;
    } msg;
    memset(&msg, 0, sizeof(msg));
    struct nlmsghdr *nh = (struct nlmsghdr *)msg.buf;
    struct cn_msg *cn = NLMSG_DATA(nh);
    enum proc_cn_mcast_op op = PROC_CN_MCAST_LISTEN;
    nh->nlmsg_len = sizeof(msg.buf);
    nh->nlmsg_type = NLMSG_DONE;
    nh->nlmsg_pid = (uint32_t)getpid();
    cn->id.idx = CN_IDX_PROC;
    cn->id.val = CN_VAL_PROC;
    cn->len = sizeof(op);
    memcpy(cn->data, &op, sizeof(op));
    if (send(fd, msg.buf, sizeof(msg.buf), 0) < 0)
        return ng_error_set(err, errno, "proc connector subscribe: %s", strerror(errno));
    return NG_TAKE_FD(fd);
}

int ng_procexit_read(int fd, pid_t pid, int *ret_status)
{
    for (;;) {
        union {
            char buf[4096];
            struct nlmsghdr align;
        } msg;
        ssize_t n = recv(fd, msg.buf, sizeof(msg.buf), 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == ENOBUFS))
            return 0;
        if (n < 0)
            return -errno;
        struct nlmsghdr *nh = (struct nlmsghdr *)msg.buf;
        if (!NLMSG_OK(nh, (size_t)n) ||
            nh->nlmsg_len < NLMSG_LENGTH(sizeof(struct cn_msg) + sizeof(struct proc_event)))
            continue;
        struct cn_msg *cn = NLMSG_DATA(nh);
        struct proc_event ev;
        memcpy(&ev, cn->data, sizeof(ev));
        if (ev.what == PROC_EVENT_EXIT && ev.event_data.exit.process_pid == pid &&
            ev.event_data.exit.process_tgid == pid) {
            *ret_status = (int)ev.event_data.exit.exit_code;
            return 1;
        }
    }
}

int ng_engine_exit_read(ng_engine_id engine, const char *id, int64_t created_ms, int *ret_code, char *why,
                        size_t why_size)
{
    char paths[2][4096], reason[320] = "";
    cleanup_free char *runtime_dir = ng_user_runtime_dir();
    size_t n = ng_engine_exit_files(engine, runtime_dir, id, paths, 2);
    if (!runtime_dir)
        snprintf(reason, sizeof(reason), "no runtime directory of the user's");
    else if (n == 0)
        snprintf(reason, sizeof(reason), "%s keeps no exit file nodeguard knows", ng_engine_name(engine));
    for (size_t i = 0; i < n; i++) {
        cleanup_free char *text = NULL;
        cleanup_error ng_error *e = NULL;
        struct stat st;
        size_t len;
        int code;
        if (ng_read_file_at(AT_FDCWD, paths[i], 16, &text, &len, &st, &e) < 0) {
            snprintf(reason, sizeof(reason), "%s", ng_error_msg(e));
            continue;
        }
        /* mtime is a coarse clock (a tick behind): a second's slack, far less than any restart. */
        int64_t mtime_ms = ng_mtime_ms(&st);
        if (created_ms > 0 && mtime_ms + 1000 < created_ms) {
            snprintf(reason, sizeof(reason), "an exit file from before the container was created");
            continue;
        }
        if (ng_engine_parse_exit_code(text, &code) < 0) {
            snprintf(reason, sizeof(reason), "an exit file that is not an exit code");
            continue;
        }
        *ret_code = code;
        return 1;
    }
    if (why && why_size)
        snprintf(why, why_size, "%s", reason);
    return 0;
}
