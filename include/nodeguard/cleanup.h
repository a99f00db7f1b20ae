/* Scope-bound cleanup, as systemd and crun do it: every resource the library acquires is released
 * by an attribute, so an early return cannot leak (crun leaked yajl trees for lack of this). */
#ifndef NODEGUARD_CLEANUP_H
#define NODEGUARD_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>
#include "nodeguard/error.h"

#define _cleanup_(f) __attribute__((cleanup(f)))

static inline void ng_freep(void *p)
{
    free(*(void **)p);
}

static inline void ng_closep(int *fd)
{
    if (*fd >= 0) {
        int saved = errno;
        close(*fd);
        errno = saved;
    }
}

static inline void ng_fclosep(FILE **f)
{
    if (*f)
        fclose(*f);
}

static inline void ng_closedirp(DIR **d)
{
    if (*d)
        closedir(*d);
}

static inline void ng_yajl_tree_freep(yajl_val *v)
{
    if (*v)
        yajl_tree_free(*v);
}

static inline void ng_yajl_gen_freep(yajl_gen *g)
{
    if (*g)
        yajl_gen_free(*g);
}

static inline void ng_error_freep(ng_error **e)
{
    ng_error_free(*e);
}

#define cleanup_free     _cleanup_(ng_freep)
#define cleanup_close    _cleanup_(ng_closep)
#define cleanup_fclose   _cleanup_(ng_fclosep)
#define cleanup_closedir _cleanup_(ng_closedirp)
#define cleanup_yajl_val _cleanup_(ng_yajl_tree_freep)
#define cleanup_yajl_gen _cleanup_(ng_yajl_gen_freep)
#define cleanup_error    _cleanup_(ng_error_freep)

/* Hands ownership out of a cleanup variable. */
#define NG_TAKE_PTR(p)                                                                                       \
    ({                                                                                                       \
        __typeof__(p) _tmp = (p);                                                                            \
        (p) = NULL;                                                                                          \
        _tmp;                                                                                                \
    })

#define NG_TAKE_FD(fd)                                                                                       \
    ({                                                                                                       \
        int _tmp = (fd);                                                                                     \
        (fd) = -1;                                                                                           \
        _tmp;                                                                                                \
    })

#endif
