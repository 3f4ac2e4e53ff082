/* api_policy.c — /api/v1/policy: the service policy's documents and
 * versions, for the chain and per store (domain/policy_store.h).
 *
 * A PUT's body is the policy document itself; a bad document is refused
 * (422) with one problem per bad field, named by its JSON path
 * ("tiers.gold.goodwill_limit_cents"), and a version that is not above the
 * one in force with 409 naming "version". */
#include "api/handlers.h"
#include "domain/policy_store.h"
#include "domain/store.h"
#include <string.h>

static int reply_document(struct api_call *a, int64_t store_id, const char *store_code)
{
    struct buf doc;
    buf_init(&doc, POLICY_DOC_MAX + 1);
    int64_t version = 0;
    int rc = policy_current(&a->d, store_id, &doc, &version);
    json_t *d = rc == TD_OK ? json_loadb(doc.data, doc.len, 0, NULL) : NULL;
    buf_free(&doc);
    if (rc != TD_OK) {
        if (rc == TD_E_NOT_FOUND) errors_set_message(&a->err, "store %s has no policy override", store_code);
        return rc;
    }
    if (!d) return TD_E_INTERNAL;
    struct policy p;
    if ((rc = policy_effective(&a->d, store_id, &p)) != TD_OK) {
        json_decref(d);
        return rc;
    }
    char effective[POLICY_VERSION_SZ];
    if (p.store_version > 0) snprintf(effective, sizeof effective, "%d+store.%d", p.version, p.store_version);
    else snprintf(effective, sizeof effective, "%d", p.version);
    return api_reply_json(a, 200, json_pack("{s:o,s:I,s:o,s:s}", "store_code", api_str_or_null(store_code), "version",
                                            (json_int_t)version, "document", d, "effective_version", effective));
}

static int store_param(struct api_call *a, struct store *s)
{
    return store_get_by_code(&a->d, a->r->params[0], s);
}

int api_policy_get(struct api_call *a)
{
    return reply_document(a, 0, NULL);
}

int api_policy_store_get(struct api_call *a)
{
    struct store s;
    int rc = store_param(a, &s);
    if (rc != TD_OK) return rc;
    return reply_document(a, s.id, s.code);
}

static int save(struct api_call *a, int64_t store_id, const char *store_code)
{
    const struct buf *body = &a->r->body;
    if (body->len == 0) {
        errors_add(&a->err, NULL, "the policy document is required as the request body");
        return TD_E_BAD_REQUEST;
    }
    int64_t version = 0;
    int rc = policy_save(&a->d, store_id, body->data, body->len, &a->err, &version);
    if (rc != TD_OK) {
        if (rc == TD_E_INVALID && !a->err.message[0]) errors_set_message(&a->err, "the policy document is not valid");
        return rc;
    }
    return reply_document(a, store_id, store_code);
}

int api_policy_put(struct api_call *a)
{
    return save(a, 0, NULL);
}

int api_policy_store_put(struct api_call *a)
{
    struct store s;
    int rc = store_param(a, &s);
    if (rc != TD_OK) return rc;
    return save(a, s.id, s.code);
}

static int add_version(void *arg, const struct policy_version_info *v)
{
    json_t *d = json_loads(v->document, 0, NULL);
    json_t *o = json_pack("{s:I,s:o,s:o,s:o,s:b}", "version", (json_int_t)v->version, "created_at", api_time(v->created_at),
                          "created_by", api_str_or_null(v->created_by), "document", d ? d : json_null(), "built_in",
                          v->created_at == 0);
    return json_array_append_new(arg, o) == 0 ? TD_OK : TD_E_NOMEM;
}

static int versions(struct api_call *a, int64_t store_id)
{
    json_t *items = json_array();
    int rc = policy_versions_each(&a->d, store_id, add_version, items);
    return api_reply_items(a, rc, items, NULL);
}

int api_policy_versions(struct api_call *a)
{
    return versions(a, 0);
}

int api_policy_store_versions(struct api_call *a)
{
    struct store s;
    int rc = store_param(a, &s);
    if (rc != TD_OK) return rc;
    return versions(a, s.id);
}
