/* The doctor's checks of the engines that run nodeguard-runtime: Docker (/etc/docker/daemon.json's
 * runtimes and default-runtime), containerd (the CRI plugin's runc handler in
 * /etc/containerd/config.toml), and plain runc. Each wrapper they name is added to w for
 * doctor_wrapper.h's checks. */
#ifndef NODEGUARD_DOCTOR_ENGINES_H
#define NODEGUARD_DOCTOR_ENGINES_H

#include "nodeguard/doctor.h"
#include "nodeguard/doctor_wrapper.h"

#define NG_DOCKER_DAEMON_JSON "/etc/docker/daemon.json"
#define NG_CONTAINERD_CONFIG  "/etc/containerd/config.toml"

void ng_doctor_check_docker(const ng_doctor_ctx *ctx, ng_doctor_wrappers *w);
void ng_doctor_check_containerd(const ng_doctor_ctx *ctx, ng_doctor_wrappers *w);
void ng_doctor_check_runc(const ng_doctor_ctx *ctx);

#endif
