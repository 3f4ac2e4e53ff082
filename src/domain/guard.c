/* guard.c — the risk score (see guard.h for the contract and invariants).
 *
 * Each signal adds points independently; the sum is capped at 100. Points
 * come only from what exceeds a free allowance, because the guard exists for
 * the few who exploit trust and must add no friction for the many who do
 * not. Reasons are written for a manager: the count, the window and what is
 * usual, never a judgement of the person.
 */
#include "domain/guard.h"
#include <string.h>

#define SCORE_MAX 100

/* Adds a reason with code and its arguments (as reason_set takes them). */
#define ADD_REASON(r, ...)                                                          \
    do {                                                                            \
        if ((r)->n_reasons < GUARD_REASONS_MAX) reason_set(&(r)->reasons[(r)->n_reasons++], __VA_ARGS__); \
    } while (0)

/* points * (count - free) when count exceeds free, else 0; saturates
 * instead of overflowing for absurd counts. */
static int excess_points(int count, int free, int points)
{
    if (count <= free || points <= 0) return 0;
    long long p = (long long)(count - free) * points;
    return p > SCORE_MAX ? SCORE_MAX : (int)p;
}

/* True when returns exceed multiple x the norm: returns / purchases >
 * multiple * norm / 1000, compared in integers. No purchases at all with
 * that many returns is above any norm. */
static int rate_above_norm(const struct guard_policy *gp, const struct guard_signals *s)
{
    if (s->returns_90d < gp->return_rate_min_returns || gp->return_rate_min_returns <= 0) return 0;
    if (s->purchases_90d == 0) return 1;
    return (long long)s->returns_90d * 1000 > (long long)gp->return_rate_multiple * s->category_norm_permille * s->purchases_90d;
}

static int signals_valid(const struct guard_signals *s)
{
    return s->no_receipt_returns_30d >= 0 && s->no_receipt_returns_90d >= 0 && s->returns_90d >= 0 &&
           s->purchases_90d >= 0 && s->category_norm_permille >= 0 && s->category_norm_permille <= 1000 &&
           s->not_sold_here_claims_90d >= 0 && s->worn_soon_returns_90d >= 0 && s->same_item_stores >= 0 &&
           s->cases_30d >= 0 && s->stores_30d >= 0 && s->spent_lines_90d >= 0 && s->quick_returns >= 0 &&
           s->quick_purchases >= 0 && s->style_cycles >= 0 && s->whole_returns >= 0 && memchr(s->quick_category, '\0', sizeof s->quick_category);
}

/* What was bought in the category of the quick returns: a return of
 * something bought just before the 90 days was bought too. */
static int quick_bought(const struct guard_signals *s)
{
    return s->quick_purchases > s->quick_returns ? s->quick_purchases : s->quick_returns;
}

/* Returns with proof soon after purchase that are most of what was bought:
 * at least quick_min_returns of them, and at least quick_share_percent of
 * the units bought in the same 90 days (returns of things bought before the
 * 90 days count as bought) — in one category, or, of any category, the
 * purchases that came back in full. A busy family that buys much and brings
 * a size back each time stays far below the share. */
static int share_high(const struct guard_policy *gp, int returns, int bought)
{
    if (gp->quick_min_returns <= 0 || returns < gp->quick_min_returns) return 0;
    if (bought < returns) bought = returns;
    return (long long)returns * 100 >= (long long)gp->quick_share_percent * bought;
}

/* A count signal: points for what exceeds its free allowance, said as
 * "<count> ... (usual: at most <free>)". */
static int count_signal(struct risk *out, int count, int free, int points, enum reason_code code)
{
    int p = excess_points(count, free, points);
    if (p > 0) ADD_REASON(out, code, count, free);
    return p;
}

int guard_score(const struct guard_policy *gp, const struct guard_signals *s, struct risk *out)
{
    memset(out, 0, sizeof *out);
    if (!signals_valid(s)) return TD_E_INVALID;

    int score = 0, p;

    score += count_signal(out, s->no_receipt_returns_30d, gp->no_receipt_30d_free, gp->no_receipt_30d_points,
                          REASON_GUARD_NO_RECEIPT_30D);
    score += count_signal(out, s->no_receipt_returns_90d, gp->no_receipt_90d_free, gp->no_receipt_90d_points,
                          REASON_GUARD_NO_RECEIPT_90D);
    if (gp->return_rate_points > 0 && rate_above_norm(gp, s)) {
        score += gp->return_rate_points;
        ADD_REASON(out, REASON_GUARD_RETURN_RATE, s->returns_90d, s->purchases_90d, gp->return_rate_multiple);
    }
    score += count_signal(out, s->not_sold_here_claims_90d, gp->not_sold_here_90d_free, gp->not_sold_here_90d_points,
                          REASON_GUARD_NOT_SOLD_HERE);
    score += count_signal(out, s->worn_soon_returns_90d, gp->worn_soon_90d_free, gp->worn_soon_90d_points,
                          REASON_GUARD_WORN_SOON);
    if (gp->same_item_stores_at > 0 &&
        (p = excess_points(s->same_item_stores, gp->same_item_stores_at - 1, gp->same_item_points)) > 0) {
        score += p;
        ADD_REASON(out, REASON_GUARD_SAME_ITEM, s->same_item_stores);
    }
    if (gp->spree_points > 0 && gp->spree_30d_cases > 0 && gp->spree_30d_stores > 0 &&
        s->cases_30d >= gp->spree_30d_cases && s->stores_30d >= gp->spree_30d_stores) {
        score += gp->spree_points;
        ADD_REASON(out, REASON_GUARD_SPREE, s->cases_30d, s->stores_30d);
    }
    score += count_signal(out, s->spent_lines_90d, gp->spent_lines_90d_free, gp->spent_lines_90d_points,
                          REASON_GUARD_SPENT_LINES);
    if (gp->quick_points > 0 && share_high(gp, s->quick_returns, s->quick_purchases)) {
        score += gp->quick_points;
        ADD_REASON(out, REASON_GUARD_QUICK_CATEGORY, s->quick_returns, quick_bought(s), s->quick_category, gp->quick_days,
                   gp->quick_share_percent);
    } else if (gp->quick_points > 0 && share_high(gp, s->whole_returns, s->purchases_90d)) {
        int bought = s->purchases_90d > s->whole_returns ? s->purchases_90d : s->whole_returns;
        score += gp->quick_points;
        ADD_REASON(out, REASON_GUARD_QUICK_WHOLE, s->whole_returns, bought, gp->quick_days, gp->quick_share_percent);
    }
    if ((p = excess_points(s->style_cycles, gp->style_cycles_free, gp->style_cycles_points)) > 0) {
        score += p;
        ADD_REASON(out, REASON_GUARD_STYLE_CYCLES, s->style_cycles, gp->quick_days, gp->style_cycles_free);
    }
    /* Counted over one person's accounts and walk-in visits: say so, so that
     * a manager looking at this account alone is not puzzled, without
     * naming any other account or anything in it. */
    if (score > 0 && s->linked) ADD_REASON(out, REASON_GUARD_LINKED);

    out->score = score > SCORE_MAX ? SCORE_MAX : score;
    out->level = out->score >= gp->red_at ? GUARD_RED : out->score >= gp->amber_at ? GUARD_AMBER : GUARD_GREEN;
    if (out->n_reasons == 0) ADD_REASON(out, REASON_GUARD_NOTHING);
    return TD_OK;
}

ENUM_MAP_DEFINE(guard_level_map, GUARD_LEVEL_MAP);

const char *guard_level_name(enum guard_level level)
{
    return enum_map_name(&guard_level_map, (int)level);
}
