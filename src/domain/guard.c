/* guard.c — the risk score (see guard.h for the contract and invariants).
 *
 * Each signal adds points independently; the sum is capped at 100. Points
 * come only from what exceeds a free allowance, because the guard exists for
 * the few who exploit trust and must add no friction for the many who do
 * not. Reasons are written for a manager: the count, the window and what is
 * usual, never a judgement of the person.
 */
#include "domain/guard.h"
#include <stdio.h>
#include <string.h>

#define SCORE_MAX 100

static void add_reason(struct risk *r, const char *nl, const char *en)
{
    if (r->n_reasons >= GUARD_REASONS_MAX) return;
    snprintf(r->reasons[r->n_reasons].nl, REASON_TEXT_SZ, "%s", nl);
    snprintf(r->reasons[r->n_reasons].en, REASON_TEXT_SZ, "%s", en);
    r->n_reasons++;
}

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

int guard_score(const struct guard_policy *gp, const struct guard_signals *s, struct risk *out)
{
    memset(out, 0, sizeof *out);
    if (!signals_valid(s)) return TD_E_INVALID;

    char nl[REASON_TEXT_SZ], en[REASON_TEXT_SZ];
    int score = 0, p;

    if ((p = excess_points(s->no_receipt_returns_30d, gp->no_receipt_30d_free, gp->no_receipt_30d_points)) > 0) {
        score += p;
        snprintf(nl, sizeof nl, "%d retouren zonder kassabon in de afgelopen 30 dagen (gebruikelijk: hooguit %d).",
                 s->no_receipt_returns_30d, gp->no_receipt_30d_free);
        snprintf(en, sizeof en, "%d returns without a receipt in the last 30 days (usual: at most %d).",
                 s->no_receipt_returns_30d, gp->no_receipt_30d_free);
        add_reason(out, nl, en);
    }
    if ((p = excess_points(s->no_receipt_returns_90d, gp->no_receipt_90d_free, gp->no_receipt_90d_points)) > 0) {
        score += p;
        snprintf(nl, sizeof nl, "%d retouren zonder kassabon in de afgelopen 90 dagen (gebruikelijk: hooguit %d).",
                 s->no_receipt_returns_90d, gp->no_receipt_90d_free);
        snprintf(en, sizeof en, "%d returns without a receipt in the last 90 days (usual: at most %d).",
                 s->no_receipt_returns_90d, gp->no_receipt_90d_free);
        add_reason(out, nl, en);
    }
    if (gp->return_rate_points > 0 && rate_above_norm(gp, s)) {
        score += gp->return_rate_points;
        snprintf(nl, sizeof nl,
                 "%d retouren op %d aankopen in 90 dagen; meer dan %d keer wat in deze categorieën gebruikelijk is.",
                 s->returns_90d, s->purchases_90d, gp->return_rate_multiple);
        snprintf(en, sizeof en, "%d returns against %d purchases in 90 days; more than %d times usual for these categories.",
                 s->returns_90d, s->purchases_90d, gp->return_rate_multiple);
        add_reason(out, nl, en);
    }
    if ((p = excess_points(s->not_sold_here_claims_90d, gp->not_sold_here_90d_free, gp->not_sold_here_90d_points)) > 0) {
        score += p;
        snprintf(nl, sizeof nl, "%d keer artikelen aangeboden die wij niet verkopen in 90 dagen (gebruikelijk: hooguit %d).",
                 s->not_sold_here_claims_90d, gp->not_sold_here_90d_free);
        snprintf(en, sizeof en, "%d cases for goods not sold here in 90 days (usual: at most %d).",
                 s->not_sold_here_claims_90d, gp->not_sold_here_90d_free);
        add_reason(out, nl, en);
    }
    if ((p = excess_points(s->worn_soon_returns_90d, gp->worn_soon_90d_free, gp->worn_soon_90d_points)) > 0) {
        score += p;
        snprintf(nl, sizeof nl, "%d gedragen artikelen kort na aankoop teruggebracht in 90 dagen (gebruikelijk: hooguit %d).",
                 s->worn_soon_returns_90d, gp->worn_soon_90d_free);
        snprintf(en, sizeof en, "%d worn items returned soon after purchase in 90 days (usual: at most %d).",
                 s->worn_soon_returns_90d, gp->worn_soon_90d_free);
        add_reason(out, nl, en);
    }
    if (gp->same_item_stores_at > 0 &&
        (p = excess_points(s->same_item_stores, gp->same_item_stores_at - 1, gp->same_item_points)) > 0) {
        score += p;
        snprintf(nl, sizeof nl, "Hetzelfde artikel is in %d winkels teruggebracht in 90 dagen.", s->same_item_stores);
        snprintf(en, sizeof en, "The same item was returned at %d stores in 90 days.", s->same_item_stores);
        add_reason(out, nl, en);
    }
    if (gp->spree_points > 0 && gp->spree_30d_cases > 0 && gp->spree_30d_stores > 0 &&
        s->cases_30d >= gp->spree_30d_cases && s->stores_30d >= gp->spree_30d_stores) {
        score += gp->spree_points;
        snprintf(nl, sizeof nl, "%d zaken in %d verschillende winkels in de afgelopen 30 dagen.", s->cases_30d, s->stores_30d);
        snprintf(en, sizeof en, "%d cases at %d different stores in the last 30 days.", s->cases_30d, s->stores_30d);
        add_reason(out, nl, en);
    }

    if ((p = excess_points(s->spent_lines_90d, gp->spent_lines_90d_free, gp->spent_lines_90d_points)) > 0) {
        score += p;
        snprintf(nl, sizeof nl,
                 "%d keer een kassabonregel aangeboden die al helemaal was teruggebracht, in 90 dagen (gebruikelijk: hooguit %d).",
                 s->spent_lines_90d, gp->spent_lines_90d_free);
        snprintf(en, sizeof en, "%d times a receipt line offered that had already come back in full, in 90 days (usual: at most %d).",
                 s->spent_lines_90d, gp->spent_lines_90d_free);
        add_reason(out, nl, en);
    }
    if (gp->quick_points > 0 && share_high(gp, s->quick_returns, s->quick_purchases)) {
        score += gp->quick_points;
        snprintf(nl, sizeof nl,
                 "%d van de %d artikelen uit %s in 90 dagen kwamen binnen %d dagen na aankoop terug (gebruikelijk: minder dan %d%%).",
                 s->quick_returns, quick_bought(s), s->quick_category, gp->quick_days, gp->quick_share_percent);
        snprintf(en, sizeof en, "%d of %d items bought in %s in 90 days came back within %d days of purchase (usual: under %d%%).",
                 s->quick_returns, quick_bought(s), s->quick_category, gp->quick_days, gp->quick_share_percent);
        add_reason(out, nl, en);
    } else if (gp->quick_points > 0 && share_high(gp, s->whole_returns, s->purchases_90d)) {
        int bought = s->purchases_90d > s->whole_returns ? s->purchases_90d : s->whole_returns;
        score += gp->quick_points;
        snprintf(nl, sizeof nl,
                 "%d van de %d gekochte artikelen in 90 dagen binnen %d dagen helemaal teruggebracht (gebruikelijk: minder"
                 " dan %d%%).", s->whole_returns, bought, gp->quick_days, gp->quick_share_percent);
        snprintf(en, sizeof en, "%d of %d items bought in 90 days brought back in full within %d days (usual: under %d%%).",
                 s->whole_returns, bought, gp->quick_days, gp->quick_share_percent);
        add_reason(out, nl, en);
    }
    if ((p = excess_points(s->style_cycles, gp->style_cycles_free, gp->style_cycles_points)) > 0) {
        score += p;
        snprintf(nl, sizeof nl,
                 "Hetzelfde model is %d keer gekocht en binnen %d dagen helemaal teruggebracht, in 90 dagen (gebruikelijk: hooguit %d).",
                 s->style_cycles, gp->quick_days, gp->style_cycles_free);
        snprintf(en, sizeof en, "The same style was bought and brought back in full within %d days %d times in 90 days (usual: at most %d).",
                 gp->quick_days, s->style_cycles, gp->style_cycles_free);
        add_reason(out, nl, en);
    }
    /* Counted over one person's accounts and walk-in visits: say so, so that
     * a manager looking at this account alone is not puzzled, without
     * naming any other account or anything in it. */
    if (score > 0 && s->linked)
        add_reason(out, "Geteld over klantaccounts en bezoeken met hetzelfde telefoonnummer, e-mailadres of ID-nummer.",
                   "Counted over customer accounts and visits with the same phone number, e-mail address or ID reference.");

    out->score = score > SCORE_MAX ? SCORE_MAX : score;
    out->level = out->score >= gp->red_at ? GUARD_RED : out->score >= gp->amber_at ? GUARD_AMBER : GUARD_GREEN;
    if (out->n_reasons == 0)
        add_reason(out, "Geen bijzonderheden in de retouren en zaken van deze klant.",
                   "Nothing unusual in this customer's returns and cases.");
    return TD_OK;
}

const char *guard_level_name(enum guard_level level)
{
    switch (level) {
    case GUARD_GREEN: return "green";
    case GUARD_AMBER: return "amber";
    case GUARD_RED: return "red";
    }
    return NULL;
}
