/* package.json scripts: any file content behind `npm run dev`, `yarn start` and `pnpm test`, with the
 * resolver's promises as assertions: it never fails, resolves only with a script name and an
 * origin, and counts at least one node process and the runner. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "nodeguard/pkgscripts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    ng_package_json p = {.len = size, .has_server_js = size % 2};
    memcpy(p.path, "/app/package.json", sizeof("/app/package.json"));
    p.text = malloc(size + 1);
    memcpy(p.text, data, size);
    p.text[size] = '\0';
    static const char *const commands[][3] = {
        {"npm", "run", "dev"}, {"yarn", "start", ""}, {"pnpm", "test", ""}};
    for (size_t i = 0; i < 3; i++) {
        ng_pkg_run r = {0};
        int got = ng_pkg_resolve(commands[i], commands[i][2][0] ? 3 : 2, &p, &r);
        if (got != (r.resolved ? 1 : 0))
            abort();
        if (r.resolved && (!r.script[0] || !r.origin || r.processes < 1 || r.launchers < 1))
            abort();
        ng_pkg_run_free(&r);
    }
    ng_package_json_free(&p);
    return 0;
}
