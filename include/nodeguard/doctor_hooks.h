/* The doctor's hooks.d checks: the nodeguard files podman and CRI-O read from
 * /usr/share/containers/oci/hooks.d and /etc/containers/oci/hooks.d (a file in /etc masks the file
 * of the same name in /usr/share), each valid, its hook executable, its stage and condition right;
 * then, per engine found, whether every stage nodeguard needs is registered. */
#ifndef NODEGUARD_DOCTOR_HOOKS_H
#define NODEGUARD_DOCTOR_HOOKS_H

#include "nodeguard/doctor.h"

#define NG_HOOKS_DIR_PACKAGES "/usr/share/containers/oci/hooks.d"
#define NG_HOOKS_DIR_LOCAL    "/etc/containers/oci/hooks.d"

void ng_doctor_check_hooks_d(const ng_doctor_ctx *ctx);

#endif
