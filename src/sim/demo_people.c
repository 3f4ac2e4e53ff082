/* demo_people.c — the demo chain's people: its stores and their staff, and
 * the customers with their names, contacts, loyalty numbers, consent,
 * search terms and identity keys (see demo_gen.h). A customer's purchases
 * come from demo_purchases.c, their part of the case history from
 * demo_plan.c; demo__make_customer puts them together, on the producer
 * thread.
 */
#include "sim/demo_gen.h"
#include "core/text.h"
#include "db/db.h"
#include "domain/customer.h"
#include "domain/identity.h"
#include "domain/store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A person's name: "Zoë van den Berg", "José Yılmaz", "Anna Jansen-de Vries". */
static void make_name(struct rng *r, char *first, size_t fn, char *last, size_t ln)
{
    snprintf(first, fn, "%s", rng_pct(r, 14) ? PICK_WORD(r, demo_first_rare) : PICK_FRONT(r, demo_first_common));
    const char *a = rng_pct(r, 12) ? PICK_WORD(r, demo_last_rare) : PICK_FRONT(r, demo_last_common);
    if (rng_pct(r, 5)) {
        /* A double name; a particle at the start of the second part stays lower case. */
        const char *b = PICK_FRONT(r, demo_last_common);
        snprintf(last, ln, "%s-%s", a, b);
    } else {
        snprintf(last, ln, "%s", a);
    }
}

/* The ASCII letters of s folded (accents off, lower case, no spaces or
 * punctuation), for e-mail addresses and logins: "van 't Hek" -> "vanthek". */
static void ascii_compact(const char *s, char *out, size_t n)
{
    struct buf f;
    buf_init(&f, 1024);
    size_t k = 0;
    if (text_fold(s, &f) == TD_OK && f.data)
        for (const char *p = f.data; *p && k + 1 < n; p++)
            if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')) out[k++] = *p;
    out[k] = '\0';
    buf_free(&f);
}

static void make_email(struct rng *r, const char *first, const char *last, char *out, size_t n)
{
    char f[64], l[96];
    ascii_compact(first, f, sizeof f);
    ascii_compact(last, l, sizeof l);
    const char *dom = PICK_WORD(r, demo_mail_domains);
    switch (rng_below(r, 6)) {
    case 0: snprintf(out, n, "%s.%s@%s", f, l, dom); break;
    case 1: snprintf(out, n, "%c.%s@%s", f[0] ? f[0] : 'x', l, dom); break;
    case 2: snprintf(out, n, "%s%s%02u@%s", f, l, rng_below(r, 100), dom); break;
    case 3: snprintf(out, n, "%s_%s@%s", f, l, dom); break;
    case 4: snprintf(out, n, "%s.%s%u@%s", l, f, 1950 + rng_below(r, 56), dom); break;
    default: snprintf(out, n, "%s%u@%s", f, 1 + rng_below(r, 999), dom); break;
    }
}

/* A Dutch mobile number written one of the ways customers give it; all of
 * them normalise to "06xxxxxxxx". The digits are the person's own
 * (demo__phone_digits: nobody shares a number by chance); the stream still draws
 * eight, so that what follows in it stays as it was. */
static void make_phone(struct rng *r, const char number[11], char *out, size_t n)
{
    for (int i = 0; i < 8; i++) (void)rng_below(r, i ? 10 : 5);
    const char *d = number + 2;
    switch (rng_below(r, 7)) {
    case 0: snprintf(out, n, "06-%s", d); break;
    case 1: snprintf(out, n, "+31 6 %.4s %.4s", d, d + 4); break;
    case 2: snprintf(out, n, "06%s", d); break;
    case 3: snprintf(out, n, "06 %.2s %.2s %.2s %.2s", d, d + 2, d + 4, d + 6); break;
    case 4: snprintf(out, n, "+316%s", d); break;
    case 5: snprintf(out, n, "06-%.4s %.4s", d, d + 4); break;
    default: snprintf(out, n, "0031 6 %s", d); break;
    }
}

/* "8" + 8-digit sequence + Luhn check digit: 10 digits, increasing with seq. */
static void make_loyalty(int64_t seq, char out[11])
{
    snprintf(out, 11, "8%08lld", (long long)(seq % 100000000));
    int sum = 0;
    for (int i = 8, dbl = 1; i >= 0; i--, dbl = !dbl) {
        int v = out[i] - '0';
        if (dbl && (v *= 2) > 9) v -= 9;
        sum += v;
    }
    out[9] = (char)('0' + (10 - sum % 10) % 10);
    out[10] = '\0';
}

/* ---- stores and staff (written directly, before the pipeline) ---------- */

int demo__load_stores(struct gen *g)
{
    int rc = TD_OK;
    struct dctx c = { .db = g->db, .now_us = g->cfg->end_us, .addr = "cli" };
    for (int i = 0; i < NSTORES && rc == TD_OK; i++) {
        struct store s;
        struct errors err;
        errors_init(&err);
        memset(&s, 0, sizeof s);
        snprintf(s.code, sizeof s.code, "%s", demo_chain[i].code);
        snprintf(s.name, sizeof s.name, "%s", demo_chain[i].name);
        snprintf(s.city, sizeof s.city, "%s", demo_chain[i].city);
        rc = store_create(&c, &s, &err, &g->store_ids[i]);
        g->store_weight_total += demo_chain[i].weight;
    }
    g->sum->stores = NSTORES;
    return rc;
}

static int insert_staff(struct gen *g, const char *login, const char *name, const char *role, int64_t store_id,
                        const char *lang, int64_t at)
{
    static const char SQL_STAFF[] =
        "INSERT INTO staff (login, name, role, store_id, password_hash, lang, active, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)";
    int rc = db_run(g->db, SQL_STAFF, NULL, "tttnttii", login, name, role, store_id, g->cfg->password_hash, lang, at, at);
    if (rc == TD_OK) g->sum->staff++;
    return rc;
}

/* One admin; per store a manager ("manager.<city>") and associates, the
 * first "associate.<city>", the others "<first name>.<city>". All share the
 * one demo password hash (demo data only; see demo.h). */
int demo__load_staff(struct gen *g)
{
    struct rng r;
    rng_stream(&r, g->cfg->seed, STREAM_STAFF, 0);
    int64_t at = g->cfg->end_us - 400 * DAY_S * US;
    int rc = insert_staff(g, DEMO_LOGIN_ADMIN, "Demo Beheerder", "admin", 0, "nl", at);
    char first[64], last[128], name[200], login[LOGIN_SZ], used[ASSOCIATES_PER_STORE][64];
    for (int s = 0; s < NSTORES && rc == TD_OK; s++) {
        make_name(&r, first, sizeof first, last, sizeof last);
        snprintf(name, sizeof name, "%s %s", first, last);
        snprintf(login, sizeof login, "manager.%s", demo_chain[s].slug);
        rc = insert_staff(g, login, name, "manager", g->store_ids[s], "nl", at);
        for (int a = 0; a < ASSOCIATES_PER_STORE && rc == TD_OK; a++) {
            char slug[64];
            int unique;
            do {   /* first names differ within a store, so logins do */
                make_name(&r, first, sizeof first, last, sizeof last);
                ascii_compact(first, slug, sizeof slug);
                unique = slug[0] != '\0';
                for (int k = 0; k < a && unique; k++) unique = strcmp(used[k], slug) != 0;
            } while (!unique);
            snprintf(used[a], sizeof used[a], "%s", slug);
            snprintf(name, sizeof name, "%s %s", first, last);
            if (a == 0) snprintf(login, sizeof login, "associate.%s", demo_chain[s].slug);
            else snprintf(login, sizeof login, "%s.%s", slug, demo_chain[s].slug);
            rc = insert_staff(g, login, name, "associate", g->store_ids[s], a == 3 ? "en" : "nl", at);
        }
    }
    return rc;
}

/* The staff ids per store (managers and associates, in id order), which
 * the producer's books and the case history use. */
int demo__load_staff_ids(struct gen *g)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(g->db, "SELECT id, role, store_id FROM staff WHERE store_id IS NOT NULL ORDER BY id", &st);
    if (rc != TD_OK) return rc;
    int nassoc[NSTORES] = {0};
    while ((rc = db_step(st)) == TD_ROW) {
        int64_t id = db_col_int64(st, 0), store_id = db_col_int64(st, 2);
        const char *role = db_col_text(st, 1);
        for (int s = 0; s < NSTORES; s++) {
            if (g->store_ids[s] != store_id) continue;
            if (strcmp(role, "manager") == 0) g->manager_ids[s] = id;
            else if (nassoc[s] < ASSOCIATES_PER_STORE) g->associate_ids[s][nassoc[s]++] = id;
        }
    }
    db_done(st);
    return rc == TD_DONE ? TD_OK : rc;
}

/* A Dutch mobile number for a person number, unique: customers' numbers
 * start 061..065, walk-ins' 066..069 (the multiplier is a bijection of the
 * range, so no two people share one by chance). */
void demo__phone_digits(int64_t n, int walk_in, char out[11])
{
    uint64_t range = walk_in ? 40000000u : 50000000u;
    uint64_t d = ((uint64_t)n * 48271u + 12345u) % range;
    snprintf(out, 11, "06%c%07llu", (char)((walk_in ? '6' : '1') + (int)(d / 10000000u)), (unsigned long long)(d % 10000000u));
}

/* Keeps a copy of each of the customer's terms ('\n'-separated). */
static int terms_keep(struct gen *g, int64_t id, const char *terms)
{
    for (const char *p = terms; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (g->pool_used + len + 1 > g->pool_cap) {
            size_t cap = 16u << 20;
            char **pools = realloc(g->pools, (g->npools + 1) * sizeof *pools);
            if (!pools) return TD_E_NOMEM;
            g->pools = pools;
            if (!(g->pools[g->npools] = malloc(cap))) return TD_E_NOMEM;
            g->npools++;
            g->pool_used = 0;
            g->pool_cap = cap;
        }
        if (demo__grow((void **)&g->term_list, &g->term_cap, g->nterms, sizeof *g->term_list) != TD_OK) return TD_E_NOMEM;
        char *copy = g->pools[g->npools - 1] + g->pool_used;
        memcpy(copy, p, len);
        copy[len] = '\0';
        g->pool_used += len + 1;
        g->term_list[g->nterms++] = (struct term){ copy, id };
        p = nl ? nl + 1 : p + len;
    }
    return TD_OK;
}

static int cmp_term(const void *a, const void *b)
{
    const struct term *x = a, *y = b;
    int c = strcmp(x->text, y->text);
    return c ? c : (x->customer_id > y->customer_id) - (x->customer_id < y->customer_id);
}

static int add_consent(struct chunk *c, int64_t id, const char *channel, int given, int64_t at, const char *source)
{
    if (demo__grow((void **)&c->consents, &c->consents_cap, c->nconsents, sizeof *c->consents) != TD_OK) return TD_E_NOMEM;
    c->consents[c->nconsents++] = (struct consent_row){ id, at, channel, source, given };
    return TD_OK;
}

/* The same mailbox written another way, as one person gives it for another
 * account: the dots moved, a capital, a +tag, googlemail for gmail. */
static void mailbox_variant(struct rng *r, const char *email, char *out, size_t n)
{
    const char *at = strchr(email, '@');
    char local[128];
    size_t k = 0;
    for (const char *p = email; at && p < at && *p != '+' && k + 1 < sizeof local; p++)
        if (*p != '.') local[k++] = *p;
    local[k] = '\0';
    if (!at || k < 2) {
        snprintf(out, n, "%s", email);
        return;
    }
    size_t dot = 1 + rng_below(r, (uint32_t)(k - 1));
    char first = local[0] >= 'a' && local[0] <= 'z' ? (char)(local[0] - 'a' + 'A') : local[0];
    const char *dom = at + 1;
    if (strcmp(dom, "gmail.com") == 0 && rng_pct(r, 40)) dom = "googlemail.com";
    static const char *const tags[] = {"", "+winkel", "+retour", "+2"};
    snprintf(out, n, "%c%.*s.%s%s@%s", first, (int)(dot - 1), local + 1, local + dot, PICK(r, tags), dom);
}

static uint64_t hash_text(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h ? h : 1;
}

/* Claims the mailbox of email for one customer: 0 when another has it.
 * Real people do not share an address by chance; the generator's name-based
 * addresses would ("sanne.devries@gmail.com" thousands of times). */
static int mailbox_claim(struct gen *g, const char *email)
{
    char mb[255];
    if (text_mailbox(email, mb) != TD_OK) return 1;
    uint64_t h = hash_text(mb);
    size_t mask = g->mailbox_cap - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        if (g->mailboxes[i] == h) return 0;
        if (g->mailboxes[i] == 0) {
            g->mailboxes[i] = h;
            return 1;
        }
    }
}

/* Keeps a customer's identity key (identity_set_customer's, in bulk). */
static int key_keep(struct gen *g, const char *normal, int64_t id)
{
    if (demo__grow((void **)&g->key_list, &g->key_cap, g->nkeys, sizeof *g->key_list) != TD_OK) return TD_E_NOMEM;
    struct key_row *k = &g->key_list[g->nkeys++];
    identity_key(g->secret, normal, k->key);
    k->customer_id = id;
    return TD_OK;
}

static int cmp_key(const void *a, const void *b)
{
    const struct key_row *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->customer_id > y->customer_id) - (x->customer_id < y->customer_id);
}

/* Customer i (0-based; id i + 1) with consent, terms and purchases. */
int demo__make_customer(struct gen *g, struct chunk *c, int64_t i)
{
    struct rng r;
    rng_stream(&r, g->cfg->seed, STREAM_CUSTOMER, (uint64_t)i);
    struct customer_row *cu = &c->customers[c->ncustomers++];
    memset(cu, 0, offsetof(struct customer_row, loyalty));
    cu->id = i + 1;
    char first[64], last[160];
    make_name(&r, first, sizeof first, last, sizeof last);
    snprintf(cu->name, sizeof cu->name, "%s %s", first, last);
    cu->email[0] = cu->phone[0] = cu->loyalty[0] = '\0';
    char digits[11];
    demo__phone_digits(i, 0, digits);
    if (rng_pct(&r, 85)) {
        make_email(&r, first, last, cu->email, sizeof cu->email);
        for (int tries = 0; !mailbox_claim(g, cu->email); tries++) {   /* taken: the number people add */
            char f[64], l[96];
            ascii_compact(first, f, sizeof f);
            ascii_compact(last, l, sizeof l);
            if (tries < 8) snprintf(cu->email, sizeof cu->email, "%s.%s%u@%s", f, l, 1 + rng_below(&r, 9999), PICK_WORD(&r, demo_mail_domains));
            else snprintf(cu->email, sizeof cu->email, "%s.%s.%lld@%s", f, l, (long long)cu->id, PICK_WORD(&r, demo_mail_domains));
        }
    }
    if (rng_pct(&r, 72)) make_phone(&r, digits, cu->phone, sizeof cu->phone);
    g->loyalty_seq += 1 + rng_below(&r, (uint32_t)g->loyalty_step);
    int member = rng_pct(&r, 90);
    /* An account an earlier customer's plan made this one (see struct pending). */
    struct pending forced;
    int is_forced = g->npending > 0 && g->pending[0].index == i;
    if (is_forced) {
        forced = g->pending[0];
        memmove(g->pending, g->pending + 1, (size_t)--g->npending * sizeof g->pending[0]);
    }
    if (is_forced && forced.role == ROLE_RING_MEMBER) {
        member = 1;
        if (forced.phone[0]) snprintf(cu->phone, sizeof cu->phone, "%s", forced.phone);
        if (forced.mail[0]) mailbox_variant(&r, forced.mail, cu->email, sizeof cu->email);
        else if (forced.share_mail && !cu->email[0]) {
            snprintf(cu->email, sizeof cu->email, "%s.%lld@gmail.com", last[0] ? "klant" : "k", (long long)cu->id);
            (void)mailbox_claim(g, cu->email);
        }
        /* The next account writes this one's mailbox (or the leader's) another way. */
        for (int k = 0; forced.share_mail && k < g->npending; k++)
            if (g->pending[k].index == i + 1 && g->pending[k].role == ROLE_RING_MEMBER)
                snprintf(g->pending[k].mail, sizeof g->pending[k].mail, "%s", cu->email);
    }
    if (member) make_loyalty(g->loyalty_seq, cu->loyalty);
    int home = demo__pick_store(g, &r);
    cu->home_store_id = rng_pct(&r, 97) ? g->store_ids[home] : 0;
    /* Signed up between eight years and two weeks ago. */
    cu->created_at = g->cfg->end_us - (14 + (int64_t)rng_below(&r, 8 * 365 - 14)) * DAY_S * US -
                     (int64_t)rng_below(&r, 86400) * US;
    if (is_forced && forced.before && cu->created_at > forced.before) cu->created_at = forced.before;
    /* Consent at loyalty sign-up; a few later unsubscribed. */
    int email_consent = member && cu->email[0] && rng_pct(&r, 45);
    int withdrawn = email_consent && rng_pct(&r, 6);
    int64_t withdrawn_at =
        cu->created_at + (int64_t)rng_below(&r, (uint32_t)((g->cfg->end_us - cu->created_at) / US)) * US;
    int phone_consent = member && cu->phone[0] && rng_pct(&r, 20);
    int64_t consent_at = cu->created_at + (int64_t)rng_below(&r, 600) * US;
    int rc = TD_OK;
    if (email_consent) {
        cu->email_consent = !withdrawn;
        cu->email_consent_at = withdrawn ? withdrawn_at : consent_at;
        cu->email_source = withdrawn ? "unsubscribe-link" : "loyalty-signup";
        rc = add_consent(c, cu->id, "email_marketing", 1, consent_at, "loyalty-signup");
        if (rc == TD_OK && withdrawn) rc = add_consent(c, cu->id, "email_marketing", 0, withdrawn_at, "unsubscribe-link");
        g->sum->email_consents += !withdrawn;
    }
    if (rc == TD_OK && phone_consent) {
        cu->phone_consent = 1;
        cu->phone_consent_at = consent_at;
        cu->phone_source = "loyalty-signup";
        rc = add_consent(c, cu->id, "phone_marketing", 1, consent_at, "loyalty-signup");
        g->sum->phone_consents++;
    }
    /* Invariant (2): the terms customer_create() would write. */
    if (rc == TD_OK)
        rc = customer_index_text(cu->name, cu->email[0] ? cu->email : NULL, cu->phone[0] ? cu->phone : NULL,
                                 cu->loyalty[0] ? cu->loyalty : NULL, &g->terms, &g->search_text);
    if (rc == TD_OK) rc = domain_copy(cu->search_text, sizeof cu->search_text, g->search_text.data);
    if (rc == TD_OK) rc = terms_keep(g, cu->id, g->terms.data);
    /* The identity keys customer_create() would write (identity.h). */
    char form[IDENTITY_CONTACT_SZ];
    if (rc == TD_OK && identity_normal_phone(cu->phone, form) == TD_OK) rc = key_keep(g, form, cu->id);
    if (rc == TD_OK && identity_normal_mail(cu->email, form) == TD_OK) rc = key_keep(g, form, cu->id);
    /* The case history's part: a stream of its own (see demo__plan_role). */
    struct person *pp = g->person;
    struct rng cr;
    rng_stream(&cr, g->cfg->seed, STREAM_CASES, (uint64_t)i);
    pp->index = i;
    pp->id = cu->id;
    pp->created_at = cu->created_at;
    pp->home = home;
    pp->member = member;
    pp->forced = is_forced ? &forced : NULL;
    /* Clienteling's part (their sizes first: they buy and are planned in
     * them): a stream of its own, so the other draws stay as they were. */
    struct rng pr;
    rng_stream(&pr, g->cfg->seed, STREAM_PROFILE, (uint64_t)i);
    demo__profile_begin(&pr, pp, cu);
    char national[20] = "";
    if (cu->phone[0]) TD_BEST_EFFORT(text_phone_normalize(cu->phone, national));
    demo__plan_role(g, pp, &cr, national, cu->email);
    size_t rfirst = c->nreceipts, lfirst = c->nlines;
    if (rc == TD_OK) rc = demo__make_purchases(g, c, &r, &pr, pp->size, cu->id, cu->created_at, home, pp->pl, pp->npl);
    if (rc == TD_OK && c->nreceipts == rfirst) rc = TD_E_INTERNAL;    /* everyone buys at least once */
    if (rc == TD_OK) rc = demo__count_customer(g, c, cu->id, rfirst, lfirst);
    if (rc == TD_OK) rc = demo__make_profile(g, c, &pr, cu, cu->home_store_id ? home : -1, rfirst, lfirst);
    if (rc == TD_OK && pp->role == ROLE_HONEST) demo__plan_honest(g, c, &cr, pp, rfirst, lfirst);
    if (rc == TD_OK) rc = demo__plan_finish(g, pp);
    g->sum->customers++;
    return rc;
}

/* Sorts every customer's terms and identity keys for the writer (see
 * demo__write_terms) and counts how many accounts carry each key
 * (identity.c keeps that count on every row). */
void demo__sort_terms(struct gen *g)
{
    qsort(g->term_list, g->nterms, sizeof *g->term_list, cmp_term);
    if (g->nkeys) qsort(g->key_list, g->nkeys, sizeof *g->key_list, cmp_key);
    for (size_t i = 0, j; i < g->nkeys; i = j) {
        for (j = i + 1; j < g->nkeys && strcmp(g->key_list[j].key, g->key_list[i].key) == 0; j++) {}
        for (size_t k = i; k < j; k++) g->key_list[k].shared = (int64_t)(j - i);
    }
    g->sum->search_terms = (int64_t)g->nterms;
}
