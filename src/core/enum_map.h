/* enum_map.h — an enum as a table: value <-> name <-> "must be one of" list.
 *
 * A module writes its enum once, as an X-macro of rows X(IDENT, value,
 * "name"), and takes from it the C enum (ENUM_MAP_VALUE), the table and its
 * list of names (ENUM_MAP_DEFINE). Adding a value is then one row: its name,
 * its parser and every refusal that lists the names follow.
 *
 *   #define COLOUR_MAP(X) X(COLOUR_RED, 1, "red") X(COLOUR_BLUE, 2, "blue")
 *   enum colour { COLOUR_MAP(ENUM_MAP_VALUE) };
 *   ENUM_MAP_DEFINE(colour_map, COLOUR_MAP);    (in the .c; "red, blue")
 *
 * Invariants: names and values are unique within a map (tests check every
 * map round-trips); list holds every name, in row order, joined by ", ".
 */
#ifndef TD_ENUM_MAP_H
#define TD_ENUM_MAP_H
#include <stddef.h>
#include "core/status.h"

struct errors;

struct enum_row {
    int value;
    const char *name;
};

struct enum_map {
    const struct enum_row *rows;
    size_t n;
    const char *list;               /* "red, blue" */
};

#define ENUM_MAP_VALUE(id, val, name) id = val,
#define ENUM_MAP_ROW(id, val, name) {val, name},
#define ENUM_MAP_LIST_ITEM(id, val, name) ", " name

/* Defines const struct enum_map var from the X-macro xmap; the list is one
 * string literal built at compile time (its leading ", " skipped). */
#define ENUM_MAP_DEFINE(var, xmap)                                                          \
    static const struct enum_row var##_rows[] = {xmap(ENUM_MAP_ROW)};                       \
    const struct enum_map var = {var##_rows, sizeof var##_rows / sizeof var##_rows[0],     \
                                 &(xmap(ENUM_MAP_LIST_ITEM))[2]}

/* The name of value, NULL when the map has no such value. Static string. */
const char *enum_map_name(const struct enum_map *m, int value);

/* The value named name (exactly; NULL is no name) into *out: TD_OK, or
 * TD_E_NOT_FOUND with *out untouched. */
int enum_map_value(const struct enum_map *m, const char *name, int *out /* OUT */) TD_MUST_CHECK;

/* The value named name, or dflt when the map has none (a stored name read
 * back, where the caller's own check follows). */
int enum_map_find(const struct enum_map *m, const char *name, int dflt);

/* As enum_map_value, and on TD_E_NOT_FOUND records "must be one of <list>"
 * for field in err. */
int enum_map_read(const struct enum_map *m, const char *name, const char *field, struct errors *err,
                  int *out /* OUT */) TD_MUST_CHECK;

/* Records "must be one of <list>" for field in err. */
void enum_map_refuse(const struct enum_map *m, const char *field, struct errors *err);

#endif
