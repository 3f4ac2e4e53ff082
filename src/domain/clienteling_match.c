/* clienteling_match.c — eligibility, ranking, reasons, hold-out and
 * assignment of a collection's matches; pure (see clienteling_match.h).
 *
 * The score adds points per signal, each capped so that no single signal
 * can carry a customer alone:
 *
 *   category spend   60 * log2(1 + spend / EUR 25), at most 300
 *   tier             none 0, bronze 30, silver 60, gold 100, platinum 150
 *   recency          <= 30 days 150, <= 90 100, <= 180 60, <= 365 25
 *   liked things     70 each, at most 3
 *   earlier outreach +40 per answer (at most 3), -30 per ignored (at most 3)
 *
 * Integer points from doubles only in the spend term; the same inputs give
 * the same score on every machine because log2 of the same double is exact
 * enough to land in the same integer (the term is floored). */
#include "domain/clienteling_match.h"

#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const skip_names[] = {
#define CL__NAME(e, name) name,
    CL_SKIP_MAP(CL__NAME)
#undef CL__NAME
};

const char *cl_skip_name(enum cl_skip s)
{
    return (unsigned)s < CL_SKIP_COUNT ? skip_names[s] : "unknown";
}

static int clamp(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static int spend_points(int64_t cents)
{
    if (cents <= 0)
        return 0;
    double p = 60.0 * log2(1.0 + (double)cents / 2500.0);
    return p >= 300.0 ? 300 : (int)p;
}

static int recency_points(int days)
{
    if (days < 0)
        return 0;
    return days <= 30 ? 150 : days <= 90 ? 100 : days <= 180 ? 60 : days <= 365 ? 25 : 0;
}

static enum cl_channel channel_of(const struct cl_candidate *c)
{
    /* An associate calls first: the seeds' way is a personal phone call. */
    if (c->phone_consent && c->has_phone)
        return CL_CHANNEL_PHONE;
    if (c->email_consent && c->has_email)
        return CL_CHANNEL_EMAIL;
    return CL_CHANNEL_NONE;
}

static enum cl_skip skip_of(const struct cl_rules *r, const struct cl_candidate *c, enum cl_channel ch)
{
    if (c->objected)
        return CL_SKIP_OBJECTED;
    if (c->do_not_contact)
        return CL_SKIP_DO_NOT_CONTACT;
    if (ch == CL_CHANNEL_NONE)
        return CL_SKIP_NO_CONSENT;
    if (c->contacts_30d >= r->contact_cap_30d)
        return CL_SKIP_OVER_CAP;
    if (c->dislikes > c->likes)
        return CL_SKIP_DISLIKES;
    if (c->likes == 0 && c->category_spend_cents <= 0)
        return CL_SKIP_NO_FIT;
    if (!c->size || !c->size[0])
        return CL_SKIP_NO_SIZE;
    return CL_OK;
}

static void add_why(struct cl_result *out, enum cl_why_code code, int64_t n, const char *text)
{
    if (out->n_why < CL_WHY_PARTS_MAX)
        out->why[out->n_why++] = (struct cl_why_part){.code = code, .n = n, .text = text ? text : ""};
}

void cl_match(const struct cl_rules *r, const struct cl_candidate *c, struct cl_result *out)
{
    memset(out, 0, sizeof *out);
    out->channel = channel_of(c);
    out->skip = skip_of(r, c, out->channel);
    if (out->skip != CL_OK)
        return;

    static const int tier_points[] = {0, 30, 60, 100, 150};
    int tier = clamp(c->tier, 0, 4);
    int score = spend_points(c->category_spend_cents) + tier_points[tier] + recency_points(c->days_since_visit) +
                70 * clamp(c->likes, 0, 3) + 40 * clamp(c->answered, 0, 3) - 30 * clamp(c->ignored, 0, 3);
    out->score = clamp(score, 0, CL_SCORE_MAX);

    /* The parts a colleague reads first: what ties them to this collection,
     * then who they are to the shop, then what makes the call possible. */
    if (c->category_spend_cents > 0)
        add_why(out, CL_WHY_SPEND, c->category_spend_cents, c->category);
    if (c->likes > 0)
        add_why(out, CL_WHY_LIKES, c->likes, c->liked);
    if (tier > 0)
        add_why(out, CL_WHY_TIER, tier, NULL);
    add_why(out, CL_WHY_SIZE, c->size_learned, c->size);
    if (c->days_since_visit >= 0 && c->days_since_visit <= 90)
        add_why(out, CL_WHY_RECENT, c->days_since_visit, NULL);
    if (c->answered > 0)
        add_why(out, CL_WHY_ANSWERS, c->answered, NULL);
}

bool cl_holdout(const uint8_t key[CL_HOLDOUT_KEY_BYTES], int64_t customer_id, int share_permille)
{
    if (share_permille <= 0)
        return false;
    unsigned char in[8], h[crypto_shorthash_BYTES];
    uint64_t u = (uint64_t)customer_id;
    for (int i = 0; i < 8; i++)
        in[i] = (unsigned char)(u >> (8 * i));
    crypto_shorthash(h, in, sizeof in, key);
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)h[i] << (8 * i);
    return (int)(v % 1000) < share_permille;
}

static int by_rank(const void *a, const void *b)
{
    const struct cl_ranked *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return (x->customer_id > y->customer_id) - (x->customer_id < y->customer_id);
}

static int by_staff(const void *key, const void *elem)
{
    int64_t k = *(const int64_t *)key, s = ((const struct cl_load *)elem)->staff_id;
    return (k > s) - (k < s);
}

void cl_assign(const struct cl_rules *r, struct cl_ranked *v, size_t n, struct cl_load *loads, size_t n_loads)
{
    if (n > 1)
        qsort(v, n, sizeof *v, by_rank);
    for (size_t i = 0; i < n; i++) {
        v[i].assigned_to = 0;
        if (v[i].associate_id == 0 || n_loads == 0)
            continue;
        struct cl_load *l = bsearch(&v[i].associate_id, loads, n_loads, sizeof *loads, by_staff);
        if (l && l->used < r->daily_cap_per_associate) {
            l->used++;
            v[i].assigned_to = v[i].associate_id;
        }
    }
}

/* ---- the reason, in words ---------------------------------------------- */

static const char *const tier_en[] = {"", "bronze", "silver", "gold", "platinum"};
static const char *const tier_nl[] = {"", "brons", "zilver", "goud", "platina"};

static int part_text(const struct cl_why_part *p, bool nl, char *out, size_t sz)
{
    long long n = (long long)p->n;
    switch (p->code) {
    case CL_WHY_SPEND:
        return snprintf(out, sz, nl ? "€ %lld besteed aan %s" : "spent €%lld on %s", (n + 50) / 100,
                        p->text[0] ? p->text : (nl ? "deze categorie" : "this category"));
    case CL_WHY_LIKES:
        if (n > 1)
            return snprintf(out, sz, nl ? "houdt van %s (en %lld meer)" : "likes %s (and %lld more)", p->text, n - 1);
        return snprintf(out, sz, nl ? "houdt van %s" : "likes %s", p->text);
    case CL_WHY_TIER:
        return snprintf(out, sz, nl ? "niveau %s" : "%s tier", (nl ? tier_nl : tier_en)[clamp((int)n, 0, 4)]);
    case CL_WHY_SIZE:
        if (n)
            return snprintf(out, sz, nl ? "maat %s (uit aankopen) op voorraad" : "size %s (from purchases) in stock",
                            p->text);
        return snprintf(out, sz, nl ? "maat %s op voorraad" : "size %s in stock", p->text);
    case CL_WHY_RECENT:
        if (n == 0)
            return snprintf(out, sz, nl ? "vandaag nog langs geweest" : "visited today");
        if (n == 1)
            return snprintf(out, sz, nl ? "gisteren langs geweest" : "visited yesterday");
        return snprintf(out, sz, nl ? "laatste bezoek %lld dagen geleden" : "last visit %lld days ago", n);
    case CL_WHY_ANSWERS:
        if (n == 1)
            return snprintf(out, sz, nl ? "reageerde eerder op contact" : "answered earlier outreach");
        return snprintf(out, sz, nl ? "reageerde %lld keer op eerder contact" : "answered earlier outreach %lld times",
                        n);
    }
    return snprintf(out, sz, "?");
}

size_t cl_why_render(const struct cl_result *res, const char *lang, char *buf, size_t sz)
{
    if (sz == 0)
        return 0;
    bool nl = lang && strcmp(lang, "nl") == 0;
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < res->n_why; i++) {
        char part[160];
        int w = part_text(&res->why[i], nl, part, sizeof part);
        if (w < 0 || (size_t)w >= sizeof part)
            break;
        size_t need = (len ? 2 : 0) + (size_t)w;
        if (len + need >= sz)
            break;
        if (len) {
            memcpy(buf + len, "; ", 2);
            len += 2;
        }
        memcpy(buf + len, part, (size_t)w);
        len += (size_t)w;
        buf[len] = '\0';
    }
    if (len && buf[0] >= 'a' && buf[0] <= 'z')
        buf[0] = (char)(buf[0] - 'a' + 'A');
    return len;
}

/* ---- measured, not assumed ---------------------------------------------- */

static void wilson(double x, double n, double *lo, double *hi)
{
    const double z = 1.959963984540054;
    double p = x / n, z2 = z * z;
    double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
    double half = z * sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n);
    *lo = centre - half < 0 ? 0 : centre - half;
    *hi = centre + half > 1 ? 1 : centre + half;
}

void cl_uplift(int64_t treated_n, int64_t treated_bought, int64_t holdout_n, int64_t holdout_bought,
               struct cl_uplift *out)
{
    memset(out, 0, sizeof *out);
    if (treated_n > 0)
        out->treated_rate = (double)treated_bought / (double)treated_n;
    if (holdout_n > 0)
        out->holdout_rate = (double)holdout_bought / (double)holdout_n;
    out->uplift = out->treated_rate - out->holdout_rate;
    if (treated_n < CL_UPLIFT_MIN_N || holdout_n < CL_UPLIFT_MIN_N || treated_bought < 0 || holdout_bought < 0 ||
        treated_bought > treated_n || holdout_bought > holdout_n)
        return;
    double l1, u1, l2, u2, p1 = out->treated_rate, p2 = out->holdout_rate;
    wilson((double)treated_bought, (double)treated_n, &l1, &u1);
    wilson((double)holdout_bought, (double)holdout_n, &l2, &u2);
    out->low = out->uplift - sqrt((p1 - l1) * (p1 - l1) + (u2 - p2) * (u2 - p2));
    out->high = out->uplift + sqrt((u1 - p1) * (u1 - p1) + (p2 - l2) * (p2 - l2));
    out->estimable = true;
}
