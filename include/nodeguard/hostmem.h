/* The host's RAM, which node sizes its heap from when it has no memory limit or cannot see its
 * cgroup. Read by the host layer and handed to the decision (ng_spec.host_memory_mib): the core
 * reads nothing of the host, and the sandbox does not allow sysinfo. */
#ifndef NODEGUARD_HOSTMEM_H
#define NODEGUARD_HOSTMEM_H

#include <stdint.h>

/* The host's RAM in MiB as node sees it; 0 when it cannot be read (sysinfo fails only on a bad
 * pointer, or with EPERM under a seccomp filter: call it before entering the sandbox). */
int64_t ng_host_memory_mib(void);

#endif
