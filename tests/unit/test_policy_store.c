/* test_policy_store.c — the versions of the policy in the database
 * (domain/policy_store.h): the built-in default until a first save, versions
 * of a scope only go up, a store's override applies to that store alone, a
 * chain version that would break an override is refused naming the store's
 * field, and versions list newest first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/buf.h"
#include "db/db.h"
#include "domain/policy_store.h"
#include "fixture.h"

static int64_t utr, ams;

static int setup(void **state)
{
    if (fixture_setup_pg(state) != 0) return -1;
    struct fixture *f = *state;
    if (fixture_stores(f, "UTR01", "AMS01", NULL) != TD_OK) return -1;
    utr = fixture_store_id(f, "UTR01");
    ams = fixture_store_id(f, "AMS01");
    return 0;
}

/* The default document with its version set and, when from is given, its
 * first `from` replaced by `to`; the caller frees it. */
static char *chain_doc(int version, const char *from, const char *to)
{
    const char *d = policy_default_json();
    size_t size = strlen(d) + 256;
    char *out = malloc(size);
    assert_non_null(out);
    const char *v = strstr(d, "\"version\": 1");
    assert_non_null(v);
    snprintf(out, size, "%.*s\"version\": %d%s", (int)(v - d), d, version, v + strlen("\"version\": 1"));
    if (from) {
        char *at = strstr(out, from);
        assert_non_null(at);
        size_t tail = strlen(at + strlen(from));
        memmove(at + strlen(to), at + strlen(from), tail + 1);
        memcpy(at, to, strlen(to));
    }
    return out;
}

static int save(struct fixture *f, int64_t store_id, const char *doc, struct errors *err, int64_t *version)
{
    errors_init(err);
    assert_int_equal(db_begin(f->db, 1), TD_OK);
    int rc = policy_save(&f->c, store_id, doc, strlen(doc), err, version);
    if (rc == TD_OK) assert_int_equal(db_commit(f->db), TD_OK);
    else db_rollback(f->db);
    return rc;
}

static void built_in_until_saved(void **state)
{
    struct fixture *f = *state;
    struct buf doc;
    buf_init(&doc, 1 << 20);
    int64_t version = 0;
    assert_int_equal(policy_current(&f->c, 0, &doc, &version), TD_OK);
    assert_int_equal(version, 1);
    assert_string_equal(doc.data, policy_default_json());
    buf_free(&doc);
    buf_init(&doc, 1 << 20);
    assert_int_equal(policy_current(&f->c, utr, &doc, &version), TD_E_NOT_FOUND);
    buf_free(&doc);
    struct policy p;
    assert_int_equal(policy_effective(&f->c, utr, &p), TD_OK);
    assert_int_equal(p.version, 1);
    assert_int_equal(p.store_version, 0);
}

static void versions_only_go_up(void **state)
{
    struct fixture *f = *state;
    struct errors err;
    int64_t version = 0;
    char *d = chain_doc(1, NULL, NULL);
    assert_int_equal(save(f, 0, d, &err, &version), TD_E_CONFLICT);   /* the default is version 1 */
    assert_true(fixture_has_field(&err, "version"));
    free(d);
    d = chain_doc(3, NULL, NULL);
    assert_int_equal(save(f, 0, d, &err, &version), TD_OK);
    assert_int_equal(version, 3);
    free(d);
    d = chain_doc(2, NULL, NULL);
    assert_int_equal(save(f, 0, d, &err, &version), TD_E_CONFLICT);
    assert_true(fixture_has_field(&err, "version"));
    free(d);
    assert_int_equal(save(f, 0, "{\"version\": 4", &err, &version), TD_E_INVALID);   /* not a document */
    assert_int_equal(fixture_int(f, "SELECT COUNT(*) FROM policies"), 1);
    struct policy p;
    assert_int_equal(policy_effective(&f->c, 0, &p), TD_OK);
    assert_int_equal(p.version, 3);
}

static void store_override(void **state)
{
    struct fixture *f = *state;
    struct errors err;
    int64_t version = 0;
    struct policy chain;
    assert_int_equal(policy_effective(&f->c, 0, &chain), TD_OK);
    assert_int_equal(save(f, utr, "{\"version\":1,\"guard\":{\"amber_at\":95}}", &err, &version), TD_E_INVALID);
    assert_true(fixture_has_field(&err, "guard.amber_at"));
    assert_int_equal(save(f, utr, "{\"version\":1,\"tiers\":{\"gold\":{\"goodwill_limit_cents\":40000}}}", &err, &version),
                     TD_OK);
    assert_int_equal(save(f, utr, "{\"version\":1}", &err, &version), TD_E_CONFLICT);
    assert_true(fixture_has_field(&err, "version"));
    struct policy p;
    assert_int_equal(policy_effective(&f->c, utr, &p), TD_OK);
    assert_int_equal(p.goodwill_limit_cents[POLICY_TIER_GOLD], 40000);
    assert_int_equal(p.store_version, 1);
    assert_int_equal(p.goodwill_limit_cents[POLICY_TIER_SILVER], chain.goodwill_limit_cents[POLICY_TIER_SILVER]);
    assert_int_equal(policy_effective(&f->c, ams, &p), TD_OK);
    assert_int_equal(p.goodwill_limit_cents[POLICY_TIER_GOLD], chain.goodwill_limit_cents[POLICY_TIER_GOLD]);
    assert_int_equal(p.store_version, 0);
    /* a chain version under which Utrecht's gold (400) would pass platinum is refused */
    char *d = chain_doc(2, "\"goodwill_limit_cents\": 60000", "\"goodwill_limit_cents\": 30000");
    assert_int_equal(save(f, 0, d, &err, &version), TD_E_INVALID);
    assert_true(fixture_has_field(&err, "tiers.platinum.goodwill_limit_cents"));
    free(d);
    assert_int_equal(fixture_int(f, "SELECT COUNT(*) FROM policies WHERE store_id IS NULL OR store_id = 0"), 0);
}

static int versions_seen(void *arg, const struct policy_version_info *v)
{
    char *out = arg;
    size_t n = strlen(out);
    snprintf(out + n, 64 - n, "%lld%s,", (long long)v->version, v->created_at ? "" : "(built-in)");
    return TD_OK;
}

static void versions_newest_first(void **state)
{
    struct fixture *f = *state;
    struct errors err;
    int64_t version = 0;
    for (int v = 2; v <= 3; v++) {
        char *d = chain_doc(v, NULL, NULL);
        assert_int_equal(save(f, 0, d, &err, &version), TD_OK);
        free(d);
    }
    char seen[64] = "";
    assert_int_equal(policy_versions_each(&f->c, 0, versions_seen, seen), TD_OK);
    assert_string_equal(seen, "3,2,1(built-in),");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(built_in_until_saved, setup),
        FIXTURE_TEST(versions_only_go_up, setup),
        FIXTURE_TEST(store_override, setup),
        FIXTURE_TEST(versions_newest_first, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
