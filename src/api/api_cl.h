/* api_cl.h — what the clienteling handlers (api_catalogue.c, api_books.c,
 * api_outreach.c) share, and the clienteling part of the GDPR export.
 *
 * Store scope: an admin acts on every store; an associate or a manager only
 * on their own store's books, tasks, holds, stock and arrivals (403 naming
 * why). The catalogue and customers' profiles are the chain's: every staff
 * member reads them, as they read customers. */
#ifndef TD_API_CL_H
#define TD_API_CL_H
#include "api/api.h"
#include "domain/clienteling_match.h"
#include "domain/store.h"

/* The store of `code`: from a path ({code}: 404 when unknown) when field is
 * NULL, else from a body or query field (422 naming it). With scope, a
 * caller who is not an admin and not of that store gets 403 saying `what`
 * ("holds", "books", ...). code NULL with a field takes the caller's own
 * store (422 "is required" for an admin of no store). */
int api_cl_store(struct api_call *a, const char *code, const char *field, const char *what,
                 struct store *out /* OUT */) TD_MUST_CHECK;
/* The store of ?store= for a report's figures: head office (admin) may
 * leave it out (out->id 0: the chain); anyone else gets their own store
 * without it, and 403 for another; an unknown code is 400 naming "store". */
int api_cl_figures_store(struct api_call *a, struct store *out /* OUT */) TD_MUST_CHECK;
/* 403 saying `what` unless the caller is an admin or of store_id. */
int api_cl_scope(struct api_call *a, int64_t store_id, const char *what) TD_MUST_CHECK;
/* The chain's clienteling rules. */
void api_cl_rules(struct api_call *a, struct cl_rules *out /* OUT */);
/* A query flag: 1 for "true", 0 for "false" or absent (def), -1 (and a
 * problem naming it) otherwise. */
int api_cl_flag(struct api_call *a, const char *name, int def);

/* The logins and names of a store's staff, to show who owns a task. */
#define API_CL_STAFF_MAX 256
struct api_cl_staff {
    size_t n;
    struct {
        int64_t id;
        char login[LOGIN_SZ];
        char name[NAME_SZ];
    } v[API_CL_STAFF_MAX];
};
/* Loads a store's staff (store_id 0: every store's, the first 256). The
 * struct is large: the caller allocates it (malloc, freed by the caller). */
int api_cl_staff_load(struct api_call *a, int64_t store_id, struct api_cl_staff *out /* OUT */) TD_MUST_CHECK;
/* The login of id as JSON (null for 0 or unknown). */
json_t *api_cl_staff_login(const struct api_cl_staff *s, int64_t id);

/* The customer's clienteling data for the GDPR export: profile, book,
 * contacts, outreach and holds, as one object (*out owned by the caller). */
int api_cl_export(struct api_call *a, int64_t customer_id, json_t **out /* OUT */) TD_MUST_CHECK;

#endif
