/* The doctor's checks of CRI-O's runtime handlers in /etc/crio/crio.conf and crio.conf.d/: a
 * handler running nodeguard-runtime is what injects env under CRI-O, whose hooks cannot; and
 * whether hooks_dir moves its hooks away from the directories doctor_hooks.h checks. */
#ifndef NODEGUARD_DOCTOR_CRIO_H
#define NODEGUARD_DOCTOR_CRIO_H

#include "nodeguard/doctor.h"
#include "nodeguard/doctor_wrapper.h"

#define NG_CRIO_CONF   "/etc/crio/crio.conf"
#define NG_CRIO_CONF_D "/etc/crio/crio.conf.d"

/* Nothing when CRI-O is not installed (doctor_hooks.h says so). Wrappers found are added to w. */
void ng_doctor_check_crio(const ng_doctor_ctx *ctx, ng_doctor_wrappers *w);

#endif
