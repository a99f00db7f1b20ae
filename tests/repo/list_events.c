/* list_events: the event registry (include/nodeguard/events.h) as tab-separated lines, for
 * tests/repo/schema_doc.py to hold docs/log-schema.md against:
 *   event  NAME  STAGE,STAGE,...
 *   field  NAME  PARENT  FIELD  TYPE     (NAME "*" for the fields of every record, PARENT "-" at the
 *                                         top level) */
#include <stdio.h>
#include "nodeguard/events.h"

static const char *type_name(ng_field_type t)
{
    static const char *const names[] = {"string", "integer", "bool", "object", "array"};
    return t >= 0 && t < (int)(sizeof(names) / sizeof(names[0])) ? names[t] : "?";
}

static void list_fields(const char *event, const ng_event_field *fields, size_t n)
{
    for (size_t i = 0; i < n; i++)
        printf("field\t%s\t%s\t%s\t%s\n", event, fields[i].parent ? fields[i].parent : "-", fields[i].name,
               type_name(fields[i].type));
}

int main(void)
{
    size_t n;
    const ng_event_field *common = ng_event_common_fields(&n);
    list_fields("*", common, n);
    for (int ev = 0; ev < NG_EVENT_COUNT; ev++) {
        const ng_event_info *info = ng_event_get((ng_event)ev);
        printf("event\t%s\t", info->name);
        for (const char *const *s = info->stages; *s; s++)
            printf("%s%s", s == info->stages ? "" : ",", *s);
        printf("\n");
        list_fields(info->name, info->fields, info->n_fields);
    }
    return ferror(stdout) ? 1 : 0;
}
