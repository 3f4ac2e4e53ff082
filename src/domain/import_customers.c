/* import_customers.c — the customers kind of import (imports.def): the
 * loyalty programme's member list. A loyalty number already in the database
 * is skipped; a new one becomes a customer through customer_create() (search
 * terms, consent with source "import" at the time of the import). Repeats
 * within the file are problems, found through m->seen, never through rows
 * this import wrote.
 */
#include "domain/import_parts.h"
#include "core/errors.h"
#include "core/strmap.h"
#include "core/text.h"
#include <string.h>
#include <strings.h>

enum { C_LOYALTY, C_NAME, C_EMAIL, C_PHONE, C_STORE, C_EMAIL_CONSENT, C_PHONE_CONSENT, C_NCOLS };
const struct import__column import__customer_cols[C_NCOLS + 1] = {
    [C_LOYALTY] = {"loyalty_number", COL_REQUIRED | COL_ASCII, LOYALTY_SZ - 1},
    [C_NAME] = {"name", COL_REQUIRED | COL_TEXT, NAME_MAX_CHARS},
    [C_EMAIL] = {"email", 0, EMAIL_SZ - 1},
    [C_PHONE] = {"phone", 0, PHONE_SZ - 1},
    [C_STORE] = {"home_store_code", COL_ASCII, CODE_SZ - 1},
    [C_EMAIL_CONSENT] = {"email_marketing_consent", 0, 32},
    [C_PHONE_CONSENT] = {"phone_marketing_consent", 0, 32},
    [C_NCOLS] = {NULL, 0, 0},
};
_Static_assert(C_NCOLS <= IMPORT__NCOLS_MAX, "IMPORT__NCOLS_MAX holds the customer columns");

struct loyalty_info {
    int64_t first_line;
    int known;
};

int import__customer_begin(struct imp *m)
{
    return strmap_new(sizeof(struct loyalty_info), IMPORT__MAP_MEM, &m->seen);
}

/* yes/no, ja/nee, true/false, 1/0 (any case), empty = no; -1 for anything else. */
static int parse_yes_no(const char *s)
{
    static const char *const yes[] = {"yes", "ja", "true", "1"};
    static const char *const no[] = {"", "no", "nee", "false", "0"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        if (strcasecmp(s, yes[i]) == 0) return 1;
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        if (strcasecmp(s, no[i]) == 0) return 0;
    return -1;
}

/* Maps the problems customer_create found to columns of the line. */
static int create_problems(struct imp *m, const struct errors *err)
{
    int rc = TD_OK;
    for (size_t i = 0; i < err->n && rc == TD_OK; i++) {
        int col = -1;
        for (int j = 0; j < m->ncols; j++)
            if (strcmp(err->item[i].field, m->cols[j].name) == 0) col = j;
        if (strncmp(err->item[i].field, "consent.email", 13) == 0) col = C_EMAIL_CONSENT;
        if (strncmp(err->item[i].field, "consent.phone", 13) == 0) col = C_PHONE_CONSENT;
        if (col >= 0) rc = IMPORT__COL_PROBLEM(m, col, "%s", err->item[i].problem);
        else rc = import__problem(m, m->line, 0, NULL, "%s %s", err->item[i].field, err->item[i].problem);
    }
    if (rc == TD_OK && err->n == 0) rc = import__problem(m, m->line, 0, NULL, "was refused");
    return rc;
}

int import__customer_line(struct imp *m)
{
    int rc = TD_OK;
    const char *loyalty = m->v[C_LOYALTY];
    struct loyalty_info *li = NULL;
    if (*loyalty && !customer_loyalty_valid(loyalty)) {
        if ((rc = IMPORT__COL_PROBLEM(m, C_LOYALTY, "must be 4 to 32 letters, digits or '-'")) != TD_OK) return rc;
    } else if (*loyalty) {
        void *slot;
        int added;
        if ((rc = strmap_put(m->seen, loyalty, m->vlen[C_LOYALTY], &slot, &added)) != TD_OK) return rc;
        li = slot;
        if (!added) {
            if ((rc = IMPORT__COL_PROBLEM(m, C_LOYALTY, "appears again; first on line %lld", (long long)li->first_line)) != TD_OK)
                return rc;
            li = NULL;
        } else {
            li->first_line = m->vline[C_LOYALTY];
            int64_t id = 0;
            if (m->ok && (rc = import__lookup_customer(m, C_LOYALTY, &id)) != TD_OK) return rc;   /* see line_receipt */
            li->known = id > 0;
        }
    }
    if (*m->v[C_EMAIL] && !text_email_valid(m->v[C_EMAIL]))
        if ((rc = IMPORT__COL_PROBLEM(m, C_EMAIL, "is not an e-mail address")) != TD_OK) return rc;
    char ph[20];
    if (*m->v[C_PHONE] && text_phone_normalize(m->v[C_PHONE], ph) != TD_OK)
        if ((rc = IMPORT__COL_PROBLEM(m, C_PHONE, "is not a phone number")) != TD_OK) return rc;
    if (*m->v[C_STORE]) {
        int64_t store_id;
        if ((rc = import__lookup_store(m, C_STORE, &store_id)) != TD_OK) return rc;
        if (!store_id && (rc = IMPORT__COL_PROBLEM(m, C_STORE, "no store has this code")) != TD_OK) return rc;
    }
    int consent[2];
    for (int k = 0; k < 2; k++) {
        int col = k ? C_PHONE_CONSENT : C_EMAIL_CONSENT;
        consent[k] = parse_yes_no(m->v[col]);
        if (consent[k] < 0 && (rc = IMPORT__COL_PROBLEM(m, col, "must be yes or no (or ja/nee, true/false, 1/0)")) != TD_OK)
            return rc;
    }
    if (!m->ok || !li) return TD_OK;
    if (li->known) {
        m->rep->skipped++;
        return TD_OK;
    }
    struct customer_input in = {
        .set = CF_NAME | CF_LOYALTY, .name = m->v[C_NAME], .loyalty_number = loyalty,
        .email_marketing = {.given = 1, .source = "import"}, .phone_marketing = {.given = 1, .source = "import"},
    };
    if (*m->v[C_EMAIL]) { in.set |= CF_EMAIL; in.email = m->v[C_EMAIL]; }
    if (*m->v[C_PHONE]) { in.set |= CF_PHONE; in.phone = m->v[C_PHONE]; }
    if (*m->v[C_STORE]) { in.set |= CF_HOME_STORE; in.home_store_code = m->v[C_STORE]; }
    if (consent[0] == 1) in.set |= CF_EMAIL_CONSENT;
    if (consent[1] == 1) in.set |= CF_PHONE_CONSENT;
    struct errors err;
    errors_init(&err);
    int64_t id;
    rc = customer_create(m->c, &in, &err, &id);
    if (rc == TD_E_INVALID || (rc == TD_E_CONFLICT && err.n)) return create_problems(m, &err);
    if (rc != TD_OK) return rc;
    m->rep->added++;
    return TD_OK;
}
