/* Any bytes as a container's DATABASE_URL through the pool-size rewrite, in both modes: a rewritten
 * URL is the input with only "?name=N" or "&name=N" inserted before its fragment, within the bound,
 * and every string the rewrite returns is terminated within its field. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "nodeguard/dburl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *url = malloc(size + 1);
    memcpy(url, data, size);
    url[size] = '\0';
    size_t len = strlen(url);
    for (int mode = NG_DBURL_AUTO; mode <= NG_DBURL_PRISMA; mode++) {
        ng_dburl_rewrite r;
        ng_dburl_set_pool_size(url, 5, (ng_dburl_mode)mode, &r);
        if (strnlen(r.warning, sizeof(r.warning)) == sizeof(r.warning) ||
            strnlen(r.found, sizeof(r.found)) == sizeof(r.found))
            abort();
        if (r.outcome == NG_DBURL_SET) {
            size_t base = strcspn(url, "#"), added = strlen(r.url) - len;
            if (!r.url || strlen(r.url) > len + NG_DBURL_GROWTH || len > NG_DBURL_MAX ||
                memcmp(r.url, url, base) != 0 || strcmp(r.url + base + added, url + base) != 0 ||
                (r.url[base] != '?' && r.url[base] != '&' && r.url[base - 1] != '?' &&
                 r.url[base - 1] != '&'))
                abort();
        } else if (r.url) {
            abort();
        }
        ng_dburl_rewrite_free(&r);
    }
    free(url);
    return 0;
}
