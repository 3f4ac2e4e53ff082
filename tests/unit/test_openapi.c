/* test_openapi.c — docs/openapi.yaml describes the route table, and only it.
 *
 * Walks api_routes[] (src/api/routes.def) and looks each route up in the
 * spec with a line-based reading of the YAML, which is enough for the layout
 * the spec keeps:
 *
 *   paths:
 *     /api/v1/customers/{id}:        <- two spaces, the path, a colon
 *       get:                         <- four spaces, the method, a colon
 *         x-roles: [manager, admin]  <- six spaces: who may call it
 *
 * Checked: every route is described exactly once, every described operation
 * is a route, and its x-roles equal the route's roles.
 *
 * The spec is found through $TEST_SOURCE_DIR, or else next to this source
 * file (__FILE__ minus "tests/unit/test_openapi.c").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "cmocka_main.h"

#define SPEC_REL "docs/openapi.yaml"
#define THIS_REL "tests/unit/test_openapi.c"
#define MAX_OPS 200

struct op {
    char method[8];          /* upper case */
    char path[256];
    int roles;               /* API_* bits from x-roles; -1 without x-roles, -2 for an unknown role name */
};

struct spec {
    struct op ops[MAX_OPS];
    int n;
    int overflow;
};

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *data = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (cap - len < 4096) {
            cap = cap ? cap * 2 : 65536;
            char *n = realloc(data, cap + 1);
            if (!n) {
                free(data);
                fclose(f);
                return NULL;
            }
            data = n;
        }
        size_t got = fread(data + len, 1, cap - len, f);
        len += got;
        if (got == 0) break;
    }
    fclose(f);
    data[len] = '\0';
    return data;
}

/* The spec's text, or NULL; `where` tells which file was tried. */
static char *load_spec(char *where, size_t n)
{
    const char *env = getenv("TEST_SOURCE_DIR");
    if (env && *env) {
        snprintf(where, n, "%s/%s", env, SPEC_REL);
    } else {
        const char *file = __FILE__;
        size_t len = strlen(file), rel = strlen(THIS_REL);
        if (len < rel || strcmp(file + len - rel, THIS_REL) != 0) {
            snprintf(where, n, "(cannot locate the source tree from __FILE__ \"%s\"; set TEST_SOURCE_DIR)", file);
            return NULL;
        }
        snprintf(where, n, "%.*s%s", (int)(len - rel), file, SPEC_REL);  /* the root keeps its '/' */
    }
    return read_file(where);
}

static size_t indent_of(const char *line, size_t len)
{
    size_t k = 0;
    while (k < len && line[k] == ' ') k++;
    return k;
}

/* "[associate, manager]" -> API_* bits; -2 for an unknown name or shape. */
static int parse_roles(const char *s, size_t len)
{
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\r')) len--;
    if (len < 2 || s[0] != '[' || s[len - 1] != ']') return -2;
    static const struct { const char *name; int bit; } names[] = {
        {"public", API_PUBLIC}, {"associate", API_ASSOCIATE}, {"manager", API_MANAGER}, {"admin", API_ADMIN},
    };
    int roles = 0;
    const char *p = s + 1, *end = s + len - 1;
    while (p < end) {
        while (p < end && (*p == ' ' || *p == ',')) p++;
        const char *w = p;
        while (p < end && *p != ',' && *p != ' ') p++;
        if (p == w) break;
        int bit = 0;
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            if ((size_t)(p - w) == strlen(names[i].name) && strncmp(w, names[i].name, (size_t)(p - w)) == 0)
                bit = names[i].bit;
        if (!bit) return -2;
        roles |= bit;
    }
    return roles ? roles : -2;
}

/* Collects every (method, path, x-roles) of the spec's `paths:` section. */
static void read_ops(const char *yaml, struct spec *sp)
{
    static const char *const methods[] = {"get", "put", "post", "delete", "options", "head", "patch", "trace"};
    memset(sp, 0, sizeof *sp);
    int in_paths = 0;
    char path[256] = "";
    struct op *cur = NULL;          /* the operation whose keys we are in */
    for (const char *line = yaml; *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        size_t ind = indent_of(line, len);
        int blank = ind >= len || line[ind] == '#' || line[ind] == '\r';
        if (!blank) {
            if (ind == 0) {
                in_paths = len >= 6 && strncmp(line, "paths:", 6) == 0;
                path[0] = '\0';
                cur = NULL;
            } else if (in_paths && ind == 2) {
                /* a path key: "/..." then a colon at the end of the line */
                const char *end = line + len;
                while (end > line && (end[-1] == ' ' || end[-1] == '\r')) end--;
                size_t plen = end > line + 3 ? (size_t)(end - 1 - (line + 2)) : 0;
                path[0] = '\0';
                if (line[2] == '/' && end[-1] == ':' && plen < sizeof path) {
                    memcpy(path, line + 2, plen);
                    path[plen] = '\0';
                }
                cur = NULL;
            } else if (in_paths && ind == 4 && path[0]) {
                cur = NULL;
                for (size_t m = 0; m < sizeof methods / sizeof methods[0]; m++) {
                    size_t ml = strlen(methods[m]);
                    if (len > 4 + ml && strncmp(line + 4, methods[m], ml) == 0 && line[4 + ml] == ':') {
                        if (sp->n == MAX_OPS) {
                            sp->overflow = 1;
                            break;
                        }
                        cur = &sp->ops[sp->n++];
                        for (size_t k = 0; k <= ml; k++) cur->method[k] = (char)toupper((unsigned char)methods[m][k]);
                        snprintf(cur->path, sizeof cur->path, "%s", path);
                        cur->roles = -1;
                    }
                }
            } else if (in_paths && ind == 6 && cur && len > 6 + 8 && strncmp(line + 6, "x-roles:", 8) == 0) {
                const char *v = line + 6 + 8;
                size_t vlen = len - 6 - 8;
                while (vlen && *v == ' ') v++, vlen--;
                cur->roles = parse_roles(v, vlen);
            }
        }
        line = nl ? nl + 1 : line + len;
    }
}

static int count_op(const struct spec *sp, const char *method, const char *path, const struct op **found)
{
    int n = 0;
    for (int i = 0; i < sp->n; i++)
        if (strcmp(sp->ops[i].method, method) == 0 && strcmp(sp->ops[i].path, path) == 0) {
            n++;
            if (found) *found = &sp->ops[i];
        }
    return n;
}

/* The reader itself: it must find what is there and miss what is not, or
 * the checks below would prove nothing. */
static void reader_self_check(void **state)
{
    (void)state;
    static const char yaml[] =
        "openapi: 3.1.0\n"
        "info:\n"
        "  title: x\n"
        "  /api/v1/not-a-path:\n"          /* under info:, not paths: */
        "    get: {}\n"
        "paths:\n"
        "  # a comment\n"
        "  /healthz:\n"
        "    get:\n"
        "      summary: x\n"
        "      x-roles: [public]\n"
        "      post: not a method of /healthz (too deep)\n"
        "\n"
        "  /api/v1/customers/{id}:\n"
        "    parameters: []\n"
        "    get:\n"
        "      x-roles: [associate, manager,admin]\n"
        "    patch:\n"
        "      summary: patch\n"
        "        x-roles: [admin]\n"         /* too deep: not this operation's */
        "    delete:\n"
        "      x-roles: [boss]\n"
        "components:\n"
        "  /api/v1/stores:\n"
        "    get: {}\n";
    struct spec *sp = malloc(sizeof *sp);
    assert_non_null(sp);
    read_ops(yaml, sp);
    const struct op *o = NULL;
    assert_int_equal(sp->n, 4);
    assert_int_equal(count_op(sp, "GET", "/healthz", &o), 1);
    assert_int_equal(o->roles, API_PUBLIC);
    assert_int_equal(count_op(sp, "POST", "/healthz", NULL), 0);
    assert_int_equal(count_op(sp, "GET", "/api/v1/customers/{id}", &o), 1);
    assert_int_equal(o->roles, API_STAFF);
    assert_int_equal(count_op(sp, "PATCH", "/api/v1/customers/{id}", &o), 1);
    assert_int_equal(o->roles, -1);
    assert_int_equal(count_op(sp, "DELETE", "/api/v1/customers/{id}", &o), 1);
    assert_int_equal(o->roles, -2);
    assert_int_equal(count_op(sp, "GET", "/api/v1/not-a-path", NULL), 0);
    assert_int_equal(count_op(sp, "GET", "/api/v1/stores", NULL), 0);
    assert_int_equal(count_op(sp, "GET", "/api/v1/customers", NULL), 0);
    assert_int_equal(parse_roles("[manager, admin]", 16), API_LEADS);
    assert_int_equal(parse_roles("[]", 2), -2);
    assert_int_equal(parse_roles("manager", 7), -2);
    free(sp);
}

static int setup(void **state)
{
    char where[1024];
    char *yaml = load_spec(where, sizeof where);
    if (!yaml) {
        print_error("cannot read the API description %s\n", where);
        return -1;
    }
    struct spec *sp = malloc(sizeof *sp);
    if (!sp) {
        free(yaml);
        return -1;
    }
    read_ops(yaml, sp);
    free(yaml);
    *state = sp;
    return 0;
}

static int teardown(void **state)
{
    free(*state);
    return 0;
}

static void every_route_is_described(void **state)
{
    const struct spec *sp = *state;
    assert_false(sp->overflow);
    assert_true(api_routes_count > 0);
    int bad = 0;
    for (size_t i = 0; i < api_routes_count; i++) {
        int n = count_op(sp, api_routes[i].method, api_routes[i].path, NULL);
        if (n != 1) {
            print_error("%s %s: described %d times in docs/openapi.yaml (want 1)\n", api_routes[i].method,
                        api_routes[i].path, n);
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

/* The other direction: the spec promises no route the server lacks. */
static void every_described_route_exists(void **state)
{
    const struct spec *sp = *state;
    int unknown = 0;
    for (int i = 0; i < sp->n; i++) {
        size_t k = 0;
        while (k < api_routes_count &&
               !(strcmp(api_routes[k].method, sp->ops[i].method) == 0 && strcmp(api_routes[k].path, sp->ops[i].path) == 0))
            k++;
        if (k == api_routes_count) {
            print_error("%s %s is in docs/openapi.yaml but not in src/api/routes.def\n", sp->ops[i].method,
                        sp->ops[i].path);
            unknown++;
        }
    }
    assert_int_equal(unknown, 0);
    assert_int_equal(sp->n, (int)api_routes_count);
}

static const char *role_list(int roles, char *out, size_t n)
{
    snprintf(out, n, "[%s%s%s%s]", roles & API_PUBLIC ? "public " : "", roles & API_ASSOCIATE ? "associate " : "",
             roles & API_MANAGER ? "manager " : "", roles & API_ADMIN ? "admin " : "");
    return out;
}

/* x-roles says exactly who may call each route. */
static void roles_match(void **state)
{
    const struct spec *sp = *state;
    int bad = 0;
    for (size_t i = 0; i < api_routes_count; i++) {
        const struct op *o = NULL;
        if (count_op(sp, api_routes[i].method, api_routes[i].path, &o) != 1) continue;  /* reported above */
        if (o->roles != api_routes[i].roles) {
            char want[64], got[64];
            print_error("%s %s: x-roles %s, routes.def says %s\n", o->method, o->path,
                        o->roles == -1 ? "missing" : o->roles == -2 ? "unreadable" : role_list(o->roles, got, sizeof got),
                        role_list(api_routes[i].roles, want, sizeof want));
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

TD_TEST_MAIN("unit_openapi", NULL, NULL,
             cmocka_unit_test(reader_self_check),
             cmocka_unit_test_setup_teardown(every_route_is_described, setup, teardown),
             cmocka_unit_test_setup_teardown(every_described_route_exists, setup, teardown),
             cmocka_unit_test_setup_teardown(roles_match, setup, teardown))
