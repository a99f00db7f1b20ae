/* A container's names from its engine's own records on this host, for the engines that put none in
 * the config (podman, Docker): bounded reads of root-owned engine state, found from the paths the
 * engine wrote into the config or the bundle, only for this container's id. A label and nothing
 * more (names.h); whatever fails leaves the name unknown, with no error: the container and its
 * records are not affected. Never runs the engine's CLI (the hook runs on every container start). */
#ifndef NODEGUARD_ENGINESTATE_H
#define NODEGUARD_ENGINESTATE_H

#include "nodeguard/names.h"
#include "nodeguard/spec.h"

/* The largest engine file read: containers.json lists every container of the store (about 500
 * bytes each); past this the names stay unknown. */
#define NG_ENGINE_STATE_MAX (8u * 1024 * 1024)

/* Fills spec->names: the annotations' names (Kubernetes engines), then what they lack from
 * containers/storage's containers.json and images.json (podman) or Docker's config.v2.json, for the
 * container spec->container_id. bundle (the state's, or the wrapper's; may be NULL) is tried before
 * the config's bind mounts for where the engine keeps its records. */
void ng_spec_fill_names(ng_spec *spec, const char *bundle);

#endif
