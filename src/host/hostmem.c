/* The host's RAM (include/nodeguard/hostmem.h). */
#include <sys/sysinfo.h>
#include "nodeguard/hostmem.h"
#include "nodeguard/util.h"

int64_t ng_host_memory_mib(void)
{
    /* node's uv_get_total_memory() reads MemTotal from /proc/meminfo (sysinfo when it cannot), and
     * the kernel fills MemTotal and sysinfo's totalram (in units of mem_unit bytes) from the same
     * count of RAM pages: one syscall gives node's number, with no file to open. */
    struct sysinfo si;
    if (sysinfo(&si) < 0)
        return 0;
    return (int64_t)((uint64_t)si.totalram * si.mem_unit / NG_MIB);
}
