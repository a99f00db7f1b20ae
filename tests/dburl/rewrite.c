/* tests/dburl's view of nodeguard's rewrite (src/core/dburl.c): reads "MODE<TAB>LIMIT<TAB>URL" lines
 * (MODE auto or prisma) and prints "OUTCOME<TAB>PARAM<TAB>URL" for each, URL being the rewritten
 * one (empty unless the outcome is set). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "nodeguard/dburl.h"

int main(void)
{
    static const char *const outcomes[] = {"set", "kept_user_value", "left_alone"};
    char line[2 * NG_DBURL_MAX];
    while (fgets(line, sizeof(line), stdin)) {
        line[strcspn(line, "\n")] = '\0';
        char *limit = strchr(line, '\t');
        char *url = limit ? strchr(limit + 1, '\t') : NULL;
        ng_dburl_mode mode;
        if (!url || (*limit = '\0', ng_dburl_mode_parse(line, &mode) < 0)) {
            fprintf(stderr, "bad line: %s\n", line);
            return 2;
        }
        ng_dburl_rewrite r;
        ng_dburl_set_pool_size(url + 1, strtoll(limit + 1, NULL, 10), mode, &r);
        printf("%s\t%s\t%s\n", outcomes[r.outcome], r.param ? r.param : "", r.url ? r.url : "");
        ng_dburl_rewrite_free(&r);
    }
    return 0;
}
