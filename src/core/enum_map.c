/* enum_map.c — lookups in an enum's table (see enum_map.h). The tables are
 * a handful of rows, so a linear search is the fastest there is. */
#include "core/enum_map.h"
#include "core/errors.h"
#include <string.h>

const char *enum_map_name(const struct enum_map *m, int value)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->rows[i].value == value) return m->rows[i].name;
    return NULL;
}

int enum_map_value(const struct enum_map *m, const char *name, int *out)
{
    for (size_t i = 0; name && i < m->n; i++) {
        if (strcmp(m->rows[i].name, name) == 0) {
            *out = m->rows[i].value;
            return TD_OK;
        }
    }
    return TD_E_NOT_FOUND;
}

int enum_map_find(const struct enum_map *m, const char *name, int dflt)
{
    int v = dflt;
    return enum_map_value(m, name, &v) == TD_OK ? v : dflt;
}

void enum_map_refuse(const struct enum_map *m, const char *field, struct errors *err)
{
    errors_add(err, field, "must be one of %s", m->list);
}

int enum_map_read(const struct enum_map *m, const char *name, const char *field, struct errors *err, int *out)
{
    int rc = enum_map_value(m, name, out);
    if (rc != TD_OK) enum_map_refuse(m, field, err);
    return rc;
}
