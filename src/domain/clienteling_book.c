/* clienteling_book.c — books, sizes, likes, dates, notes, objections (see
 * clienteling_book.h). */
#include "domain/clienteling_book.h"

#include <stdio.h>
#include <string.h>
#include "core/errors.h"
#include "core/status.h"
#include "db/db.h"
#include "domain/facts.h"

static const char *const pref_kinds[CL_PREF_COUNT] = {"brand", "category", "colour", "style"};

const char *cl_pref_kind_name(enum cl_pref_kind k)
{
    return (unsigned)k < CL_PREF_COUNT ? pref_kinds[k] : "unknown";
}

int cl_pref_kind_parse(const char *s, enum cl_pref_kind *out)
{
    for (int k = 0; s && k < CL_PREF_COUNT; k++)
        if (strcmp(s, pref_kinds[k]) == 0) {
            *out = (enum cl_pref_kind)k;
            return TD_OK;
        }
    return TD_E_INVALID;
}

static int customer_known(struct dctx *c, int64_t customer_id)
{
    int64_t n = 0;
    int rc = db_get_int64(c->db, "SELECT COUNT(*) FROM customers WHERE id = ? AND erased_at IS NULL", &n, "i",
                          customer_id);
    if (rc != TD_OK)
        return rc;
    return n ? TD_OK : TD_E_NOT_FOUND;
}

/* An active associate or manager of the store; 0 (none) passes. */
static int check_staff(struct dctx *c, int64_t store_id, int64_t staff_id, const char *field, struct errors *err)
{
    if (staff_id == 0)
        return TD_OK;
    int64_t n = 0;
    int rc = db_get_int64(c->db,
                          "SELECT COUNT(*) FROM staff WHERE id = ? AND store_id = ? AND active = 1"
                          " AND role IN ('associate', 'manager')",
                          &n, "ii", staff_id, store_id);
    if (rc == TD_OK && n == 0)
        errors_add(err, field, "is not an active associate of this store");
    return rc;
}

int cl_book_assign(struct dctx *c, int64_t customer_id, int64_t store_id, int64_t staff_id, int64_t second_id,
                   struct errors *err)
{
    int rc = customer_known(c, customer_id);
    if (rc != TD_OK)
        return rc;
    if ((rc = check_staff(c, store_id, staff_id, "staff_id", err)) != TD_OK) return rc;
    if ((rc = check_staff(c, store_id, second_id, "second_id", err)) != TD_OK) return rc;
    if (staff_id && staff_id == second_id)
        errors_add(err, "second_id", "must differ from staff_id");
    if (err->n)
        return TD_E_INVALID;
    return db_run(c->db,
                  "INSERT INTO customer_associates (customer_id, store_id, staff_id, second_id, updated_at)"
                  " VALUES (?, ?, ?, ?, ?) ON CONFLICT (customer_id) DO UPDATE SET store_id = excluded.store_id,"
                  " staff_id = excluded.staff_id, second_id = excluded.second_id, updated_at = excluded.updated_at",
                  NULL, "iinni", customer_id, store_id, staff_id, second_id, c->now_us);
}

int cl_book_reassign(struct dctx *c, int64_t store_id, int64_t from, int64_t to, struct errors *err, int64_t *moved)
{
    *moved = 0;
    if (from == 0)
        errors_add(err, "from_staff_id", "is required");
    if (from && from == to)
        errors_add(err, "to_staff_id", "must differ from from_staff_id");
    int rc = check_staff(c, store_id, to, "to_staff_id", err);
    if (rc != TD_OK)
        return rc;
    if (err->n)
        return TD_E_INVALID;
    int64_t a = 0, b = 0;
    /* A customer whose second associate is `to` keeps one associate, not two. */
    rc = db_run(c->db,
                "UPDATE customer_associates SET staff_id = ?, second_id = CASE WHEN second_id = ? THEN NULL"
                " ELSE second_id END, updated_at = ? WHERE store_id = ? AND staff_id = ?",
                &a, "niiii", to, to, c->now_us, store_id, from);
    if (rc == TD_OK)
        rc = db_run(c->db,
                    "UPDATE customer_associates SET second_id = CASE WHEN staff_id = ? THEN NULL ELSE CAST(? AS BIGINT) END,"
                    " updated_at = ? WHERE store_id = ? AND second_id = ?",
                    &b, "iniii", to, to, c->now_us, store_id, from);
    /* Their open outreach follows them. */
    if (rc == TD_OK)
        rc = db_run(c->db,
                    "UPDATE outreach_tasks SET staff_id = ? WHERE store_id = ? AND staff_id = ? AND status = 'open'",
                    NULL, "nii", to, store_id, from);
    *moved = a + b;
    return rc;
}

#define BOOK_COLS                                                                                         \
    "SELECT c.id, c.name, CASE WHEN c.loyalty_number IS NULL THEN 0 ELSE 1 END,"                       \
    " COALESCE(f.lifetime_spend_cents, 0), COALESCE(f.last_purchase_at, 0), c.email_consent,"          \
    " c.phone_consent, CASE WHEN o.customer_id IS NULL THEN 0 ELSE 1 END, COALESCE(ca.staff_id, 0),"   \
    " COALESCE(ca.second_id, 0)"
#define BOOK_JOINS                                                                                        \
    " LEFT JOIN customer_facts f ON f.customer_id = c.id"                                                \
    " LEFT JOIN customer_objections o ON o.customer_id = c.id"
#define BOOK_FILTERS                                                                                      \
    " AND c.erased_at IS NULL AND c.id > ?"                                                              \
    " AND (? = 0 OR COALESCE(f.last_purchase_at, 0) >= ?)"                                              \
    " AND (? = 0 OR (c.loyalty_number IS NOT NULL AND COALESCE(f.lifetime_spend_cents, 0) >= ?))"       \
    " AND (CAST(? AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM customer_category_spend s"                                \
    "      WHERE s.customer_id = c.id AND s.category = ?))"                                             \
    " AND (CAST(? AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM customer_sizes z WHERE z.customer_id = c.id AND z.size = ?)" \
    "      OR EXISTS (SELECT 1 FROM customer_category_spend s2 WHERE s2.customer_id = c.id"              \
    "      AND s2.last_size = ?))"                                                                       \
    " AND (? = 0 OR (? IN (1, 3) AND c.email_consent = 1) OR (? IN (2, 3) AND c.phone_consent = 1))"   \
    " ORDER BY c.id LIMIT ?"

static const char SQL_BOOK_STAFF[] = BOOK_COLS
    " FROM customer_associates ca JOIN customers c ON c.id = ca.customer_id" BOOK_JOINS
    " WHERE ca.store_id = ? AND (ca.staff_id = ? OR ca.second_id = ?)" BOOK_FILTERS;
static const char SQL_BOOK_POOL[] = BOOK_COLS
    " FROM customers c LEFT JOIN customer_associates ca ON ca.customer_id = c.id" BOOK_JOINS
    " WHERE ((ca.store_id = ? AND ca.staff_id IS NULL)"
    " OR (ca.customer_id IS NULL AND c.home_store_id = ?))" BOOK_FILTERS;

static int64_t tier_floor(int tier)
{
    return tier >= 4 ? FACTS_PLATINUM_CENTS : tier == 3 ? FACTS_GOLD_CENTS : tier == 2 ? FACTS_SILVER_CENTS : 0;
}

int cl_book_each(struct dctx *c, const struct cl_book_filter *f, int64_t after, int limit,
                 int (*fn)(void *arg, const struct cl_book_row *r), void *arg, int64_t *next)
{
    *next = 0;
    int64_t since = f->visited_within_days > 0 ? c->now_us - (int64_t)f->visited_within_days * FACTS_DAY_US : 0;
    int64_t consent = f->consent, tier = f->tier_min;
    struct db_stmt *st = NULL;
    int rc;
    if (f->pool)
        rc = db_query(c->db, SQL_BOOK_POOL, &st, "iiiiiiitttttiiii", f->store_id, f->store_id, after, since, since,
                      tier, tier_floor(f->tier_min), f->category, f->category, f->size, f->size, f->size, consent,
                      consent, consent, (int64_t)limit + 1);
    else
        rc = db_query(c->db, SQL_BOOK_STAFF, &st, "iiiiiiiitttttiiii", f->store_id, f->staff_id, f->staff_id, after,
                      since, since, tier, tier_floor(f->tier_min), f->category, f->category, f->size, f->size,
                      f->size, consent, consent, consent, (int64_t)limit + 1);
    int shown = 0;
    int64_t last = 0;
    while (db_next(st, &rc)) {
        if (shown == limit) {
            *next = last;
            break;
        }
        struct cl_book_row r = {
            .customer_id = db_col_int64(st, 0),
            .name = db_col_text(st, 1),
            .tier = (int)facts_tier((int)db_col_int64(st, 2), db_col_int64(st, 3)),
            .lifetime_spend_cents = db_col_int64(st, 3),
            .last_purchase_at = db_col_int64(st, 4),
            .email_consent = db_col_int64(st, 5) != 0,
            .phone_consent = db_col_int64(st, 6) != 0,
            .objected = db_col_int64(st, 7) != 0,
            .staff_id = db_col_int64(st, 8),
            .second_id = db_col_int64(st, 9),
        };
        last = r.customer_id;
        shown++;
        rc = fn(arg, &r);
    }
    return db_end(st, rc);
}

static void check_category(struct errors *err, const char *category)
{
    errors_check_text(err, "category", category, 47, 1);
}

int cl_size_set(struct dctx *c, int64_t customer_id, const char *category, const char *size, bool stated,
                struct errors *err)
{
    int rc = customer_known(c, customer_id);
    if (rc != TD_OK)
        return rc;
    check_category(err, category);
    if (size && !cl_size_valid(size))
        errors_add(err, "size", "must be 1 to 8 of A-Z, a-z, 0-9, '.', '/', '-', '+'");
    if (!size && !stated)
        errors_add(err, "size", "is required");
    if (err->n)
        return TD_E_INVALID;
    if (!size)
        return db_run(c->db, "DELETE FROM customer_sizes WHERE customer_id = ? AND category = ?", NULL, "it",
                      customer_id, category);
    if (stated)
        return db_run(c->db,
                      "INSERT INTO customer_sizes (customer_id, category, size, source, updated_at)"
                      " VALUES (?, ?, ?, 'stated', ?) ON CONFLICT (customer_id, category) DO UPDATE SET"
                      " size = excluded.size, source = 'stated', updated_at = excluded.updated_at",
                      NULL, "itti", customer_id, category, size, c->now_us);
    return db_run(c->db,
                  "INSERT INTO customer_sizes (customer_id, category, size, source, updated_at)"
                  " VALUES (?, ?, ?, 'learned', ?) ON CONFLICT (customer_id, category) DO UPDATE SET"
                  " size = excluded.size, updated_at = excluded.updated_at WHERE customer_sizes.source = 'learned'",
                  NULL, "itti", customer_id, category, size, c->now_us);
}

int cl_pref_set(struct dctx *c, int64_t customer_id, enum cl_pref_kind kind, const char *value, int sentiment,
                struct errors *err)
{
    int rc = customer_known(c, customer_id);
    if (rc != TD_OK)
        return rc;
    if ((unsigned)kind >= CL_PREF_COUNT)
        errors_add(err, "kind", "must be one of brand, category, colour, style");
    errors_check_text(err, "value", value, 100, 1);
    if (sentiment < -1 || sentiment > 1)
        errors_add(err, "sentiment", "must be -1, 0 or 1");
    if (err->n)
        return TD_E_INVALID;
    if (sentiment == 0)
        return db_run(c->db, "DELETE FROM customer_prefs WHERE customer_id = ? AND kind = ? AND value = ?", NULL,
                      "itt", customer_id, pref_kinds[kind], value);
    return db_run(c->db,
                  "INSERT INTO customer_prefs (customer_id, kind, value, sentiment, updated_at) VALUES (?, ?, ?, ?, ?)"
                  " ON CONFLICT (customer_id, kind, value) DO UPDATE SET sentiment = excluded.sentiment,"
                  " updated_at = excluded.updated_at",
                  NULL, "ittii", customer_id, pref_kinds[kind], value, (int64_t)sentiment, c->now_us);
}

int cl_date_add(struct dctx *c, int64_t customer_id, const char *kind, int month, int day, const char *label,
                struct errors *err, int64_t *id)
{
    static const int days_in[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    *id = 0;
    int rc = customer_known(c, customer_id);
    if (rc != TD_OK)
        return rc;
    if (!kind || (strcmp(kind, "birthday") && strcmp(kind, "anniversary") && strcmp(kind, "other")))
        errors_add(err, "kind", "must be one of birthday, anniversary, other");
    if (month < 1 || month > 12)
        errors_add(err, "month", "must be 1 to 12");
    else if (day < 1 || day > days_in[month - 1])
        errors_add(err, "day", "must be 1 to %d for that month", days_in[month - 1]);
    errors_check_text(err, "label", label, 100, 0);
    if (err->n)
        return TD_E_INVALID;
    return db_get_int64(c->db,
                        "INSERT INTO customer_dates (customer_id, kind, month, day, label) VALUES (?, ?, ?, ?, ?)"
                        " RETURNING id",
                        id, "itiit", customer_id, kind, (int64_t)month, (int64_t)day, label ? label : "");
}

int cl_date_delete(struct dctx *c, int64_t customer_id, int64_t id)
{
    int64_t n = 0;
    int rc = db_run(c->db, "DELETE FROM customer_dates WHERE id = ? AND customer_id = ?", &n, "ii", id, customer_id);
    return rc == TD_OK && n == 0 ? TD_E_NOT_FOUND : rc;
}

int cl_note_add(struct dctx *c, int64_t customer_id, const char *text, struct errors *err, int64_t *id)
{
    *id = 0;
    int rc = customer_known(c, customer_id);
    if (rc != TD_OK)
        return rc;
    errors_check_text(err, "text", text, 2000, 1);
    if (err->n)
        return TD_E_INVALID;
    return db_get_int64(c->db,
                        "INSERT INTO customer_notes (customer_id, staff_id, at, text) VALUES (?, ?, ?, ?) RETURNING id",
                        id, "init", customer_id, c->actor.staff_id, c->now_us, text);
}

int cl_objection_set(struct dctx *c, int64_t customer_id, bool objected, const char *source)
{
    int rc = customer_known(c, customer_id);
    if (rc != TD_OK)
        return rc;
    if (!objected)
        return db_run(c->db, "DELETE FROM customer_objections WHERE customer_id = ?", NULL, "i", customer_id);
    return db_run(c->db,
                  "INSERT INTO customer_objections (customer_id, at, source) VALUES (?, ?, ?)"
                  " ON CONFLICT (customer_id) DO NOTHING",
                  NULL, "iit", customer_id, c->now_us, source && *source ? source : "staff");
}

/* Each section's query: columns a, b, c (text), n, at. */
struct section {
    const char *section;
    const char *sql;
};

static const struct section profile_sql[] = {
    {"book", "SELECT s.code, COALESCE(a.login, ''), COALESCE(b.login, ''), COALESCE(ca.staff_id, 0), ca.updated_at"
             " FROM customer_associates ca JOIN stores s ON s.id = ca.store_id"
             " LEFT JOIN staff a ON a.id = ca.staff_id LEFT JOIN staff b ON b.id = ca.second_id"
             " WHERE ca.customer_id = ?"},
    {"size", "SELECT category, size, source, 0, updated_at FROM customer_sizes WHERE customer_id = ?"
             " ORDER BY category"},
    /* Learned from purchases: the size bought last in a category where no
     * size is recorded (the matcher reads the same aggregate). */
    {"size", "SELECT s.category, s.last_size, 'learned', 0, s.last_at FROM customer_category_spend s"
             " WHERE s.customer_id = ? AND s.last_size IS NOT NULL AND NOT EXISTS (SELECT 1 FROM customer_sizes z"
             " WHERE z.customer_id = s.customer_id AND z.category = s.category) ORDER BY s.category"},
    {"pref", "SELECT kind, value, CASE WHEN sentiment > 0 THEN 'like' ELSE 'dislike' END, sentiment, updated_at"
             " FROM customer_prefs WHERE customer_id = ? ORDER BY sentiment DESC, kind, value"},
    {"date", "SELECT kind, label, '', month * 100 + day, id FROM customer_dates WHERE customer_id = ?"
             " ORDER BY month, day, id"},
    {"note", "SELECT n.text, COALESCE(s.login, ''), '', n.id, n.at FROM customer_notes n"
             " LEFT JOIN staff s ON s.id = n.staff_id WHERE n.customer_id = ? ORDER BY n.at DESC, n.id DESC"},
    {"objection", "SELECT source, '', '', 0, at FROM customer_objections WHERE customer_id = ?"},
};

/* What outreach did with the customer, for the GDPR export. */
static const struct section history_sql[] = {
    {"contact", "SELECT k.channel, CASE WHEN k.marketing = 1 THEN 'marketing' ELSE 'transactional' END,"
                " COALESCE(s.login, ''), COALESCE(k.task_id, 0), k.at FROM contacts k"
                " LEFT JOIN staff s ON s.id = k.staff_id WHERE k.customer_id = ? ORDER BY k.at, k.id"},
    {"outreach", "SELECT c.code, t.status, COALESCE(t.outcome, ''), t.id, t.created_at FROM outreach_tasks t"
                 " JOIN collections c ON c.id = t.collection_id WHERE t.customer_id = ? ORDER BY t.created_at, t.id"},
    {"hold", "SELECT p.sku, h.status, s.code, h.id, h.created_at FROM holds h JOIN products p ON p.id = h.product_id"
             " JOIN stores s ON s.id = h.store_id WHERE h.customer_id = ? ORDER BY h.created_at, h.id"},
};

#define CL_SECTIONS(t) (t), sizeof(t) / sizeof((t)[0])

static int sections_each(struct dctx *c, int64_t customer_id, const struct section *t, size_t n,
                         int (*fn)(void *arg, const struct cl_profile_item *it), void *arg)
{
    int rc = TD_OK;
    for (size_t i = 0; rc == TD_OK && i < n; i++) {
        struct db_stmt *st = NULL;
        rc = db_query(c->db, t[i].sql, &st, "i", customer_id);
        struct cl_profile_item it = {.section = t[i].section};
        while (db_next(st, &rc))
            if ((rc = db_readf(st, "sssii", &it.a, &it.b, &it.c, &it.n, &it.at)) == TD_OK) rc = fn(arg, &it);
        rc = db_end(st, rc);
    }
    return rc;
}

int cl_profile_each(struct dctx *c, int64_t customer_id, int (*fn)(void *arg, const struct cl_profile_item *it),
                    void *arg)
{
    return sections_each(c, customer_id, CL_SECTIONS(profile_sql), fn, arg);
}

int cl_history_each(struct dctx *c, int64_t customer_id, int (*fn)(void *arg, const struct cl_profile_item *it),
                    void *arg)
{
    return sections_each(c, customer_id, CL_SECTIONS(history_sql), fn, arg);
}

int cl_customer_erase(struct dctx *c, int64_t customer_id)
{
    static const char *const sql[] = {
        /* An active hold gives its unit back before it goes. */
        "UPDATE stock SET held = held - (SELECT COUNT(*) FROM holds h WHERE h.customer_id = ? AND h.status = 'active'"
        " AND h.store_id = stock.store_id AND h.product_id = stock.product_id)"
        " WHERE EXISTS (SELECT 1 FROM holds h2 WHERE h2.customer_id = ? AND h2.status = 'active'"
        " AND h2.store_id = stock.store_id AND h2.product_id = stock.product_id)",
        "DELETE FROM holds WHERE customer_id = ?",
        "DELETE FROM outreach_tasks WHERE customer_id = ?",
        "DELETE FROM contacts WHERE customer_id = ?",
        "DELETE FROM customer_outreach WHERE customer_id = ?",
        "DELETE FROM customer_category_spend WHERE customer_id = ?",
        "DELETE FROM customer_objections WHERE customer_id = ?",
        "DELETE FROM customer_notes WHERE customer_id = ?",
        "DELETE FROM customer_dates WHERE customer_id = ?",
        "DELETE FROM customer_prefs WHERE customer_id = ?",
        "DELETE FROM customer_sizes WHERE customer_id = ?",
        "DELETE FROM customer_associates WHERE customer_id = ?",
        "DELETE FROM unsubscribe_tokens WHERE customer_id = ?",
    };
    int rc = db_run(c->db, sql[0], NULL, "ii", customer_id, customer_id);
    for (size_t i = 1; rc == TD_OK && i < sizeof sql / sizeof sql[0]; i++)
        rc = db_run(c->db, sql[i], NULL, "i", customer_id);
    return rc;
}
