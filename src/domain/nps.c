/* nps.c — honest figures of the customers' answers (see nps.h). */
#include "domain/nps.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "core/status.h"
#include "db/db.h"

ENUM_MAP_DEFINE(nps_dim_map, NPS_DIM_MAP);

#define Z95 1.959963984540054

/* Set once by nps_settings_from_env() before any thread starts. */
static int64_t min_answers = NPS_MIN_ANSWERS_DEFAULT;

int nps_settings_from_env(char *why, size_t n)
{
    return domain_setting("TRUSTDESK_NPS_MIN_ANSWERS", 1, 100000, &min_answers, why, n);
}

int64_t nps_min_answers(void) { return min_answers; }

/* ---- the arithmetic ------------------------------------------------------ */

enum nps_class nps_class(int score)
{
    return score >= 9 ? NPS_PROMOTER : score >= 7 ? NPS_PASSIVE : NPS_DETRACTOR;
}

void nps_delta(int before, int after, int64_t delta[3])
{
    delta[0] = delta[1] = delta[2] = 0;
    delta[nps_class(after)] += 1;
    if (before >= 0) delta[nps_class(before)] -= 1;
}

static double clamp(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }

void nps_figure_of(int64_t promoters, int64_t passives, int64_t detractors, int64_t min, struct nps_figure *out)
{
    *out = (struct nps_figure){.n = promoters + passives + detractors, .promoters = promoters, .passives = passives,
                               .detractors = detractors};
    out->too_few = out->n < min || out->n == 0;
    if (out->too_few) return;
    double n = (double)out->n, p = (double)promoters / n, d = (double)detractors / n;
    double var = p + d - (p - d) * (p - d);
    double half = 100.0 * Z95 * sqrt(var > 0 ? var / n : 0);
    out->score = 100.0 * (p - d);
    out->low = clamp(out->score - half, -100.0, 100.0);
    out->high = clamp(out->score + half, -100.0, 100.0);
}

void nps_share_of(int64_t k, int64_t n, int64_t min, struct nps_share *out)
{
    *out = (struct nps_share){.k = k, .n = n};
    out->too_few = n < min || n == 0;
    if (out->too_few) return;
    double nn = (double)n, p = (double)k / nn, z2 = Z95 * Z95;
    double centre = (p + z2 / (2 * nn)) / (1 + z2 / nn);
    double half = Z95 * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn)) / (1 + z2 / nn);
    out->share = p;
    out->low = clamp(centre - half, 0.0, 1.0);
    out->high = clamp(centre + half, 0.0, 1.0);
}

/* ---- the rollup ---------------------------------------------------------- */

int nps_count_answer(struct dctx *c, int64_t survey_id, int before, int after)
{
    int64_t d[3];
    nps_delta(before, after, d);
    if (!d[0] && !d[1] && !d[2]) return TD_OK;
    struct db_stmt *st;
    int rc = db_get_row(c->db,
                        "SELECT v.first_answered_at / 86400000000, v.store_id, k.kind, COALESCE(k.resolution, ''),"
                        " COALESCE(a.login, ''),"
                        " COALESCE((SELECT i.category FROM case_items i WHERE i.case_id = k.id AND i.category IS NOT NULL"
                        " ORDER BY i.item_no LIMIT 1), '')"
                        " FROM surveys v JOIN cases k ON k.id = v.case_id"
                        " LEFT JOIN staff a ON a.id = COALESCE(k.associate_id, k.resolved_by) WHERE v.id = ?",
                        &st, "i", survey_id);
    if (rc != TD_OK) return rc;
    int64_t day = db_col_int64(st, 0), store_id = db_col_int64(st, 1);
    /* The keys by dimension, in nps_dim_map's order; copied, so the row can
     * be let go before the writes. */
    char keys[5][NAME_SZ] = {""};
    static const int col[5] = {-1, 5, 4, 2, 3};
    for (size_t i = 1; i < 5 && rc == TD_OK; i++) rc = domain_copy(keys[i], NAME_SZ, db_col_text(st, col[i]));
    db_done(st);
    /* A first answer adds its row (or to it); a changed one moves its one
     * on the row the first made. A CHECK holds every count at 0 or more, so
     * the move is an UPDATE, never an INSERT with a negative count. */
    for (size_t i = 0; i < nps_dim_map.n && rc == TD_OK; i++)
        rc = before < 0 ? db_run(c->db,
                                 "INSERT INTO nps_counts (dim, day, store_id, key, promoters, passives, detractors)"
                                 " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dim, day, store_id, key) DO UPDATE SET"
                                 " promoters = nps_counts.promoters + excluded.promoters,"
                                 " passives = nps_counts.passives + excluded.passives,"
                                 " detractors = nps_counts.detractors + excluded.detractors",
                                 NULL, "tiitiii", nps_dim_map.rows[i].name, day, store_id, keys[i], d[NPS_PROMOTER],
                                 d[NPS_PASSIVE], d[NPS_DETRACTOR])
                        : db_run(c->db,
                                 "UPDATE nps_counts SET promoters = promoters + ?, passives = passives + ?,"
                                 " detractors = detractors + ? WHERE dim = ? AND day = ? AND store_id = ? AND key = ?",
                                 NULL, "iiitiit", d[NPS_PROMOTER], d[NPS_PASSIVE], d[NPS_DETRACTOR],
                                 nps_dim_map.rows[i].name, day, store_id, keys[i]);
    return rc;
}

int nps_recount(struct dctx *c)
{
    /* The same as migration 0016's first filling: every answered survey
     * once in each dimension, on the UTC day of its first answer. */
    int rc = db_run(c->db, "DELETE FROM nps_counts", NULL, "");
    if (rc == TD_OK)
        rc = db_run(c->db,
                    "INSERT INTO nps_counts (dim, day, store_id, key, promoters, passives, detractors)"
                    " SELECT dim, day, store_id, key, SUM(CASE WHEN score >= 9 THEN 1 ELSE 0 END),"
                    " SUM(CASE WHEN score BETWEEN 7 AND 8 THEN 1 ELSE 0 END), SUM(CASE WHEN score <= 6 THEN 1 ELSE 0 END)"
                    " FROM (SELECT d.dim, v.first_answered_at / 86400000000 AS day, v.store_id, v.score,"
                    " CASE d.dim WHEN 'store' THEN '' WHEN 'kind' THEN k.kind"
                    " WHEN 'resolution' THEN COALESCE(k.resolution, '')"
                    " WHEN 'associate' THEN COALESCE((SELECT s.login FROM staff s"
                    " WHERE s.id = COALESCE(k.associate_id, k.resolved_by)), '')"
                    " ELSE COALESCE((SELECT i.category FROM case_items i WHERE i.case_id = k.id"
                    " AND i.category IS NOT NULL ORDER BY i.item_no LIMIT 1), '') END AS key"
                    " FROM surveys v JOIN cases k ON k.id = v.case_id"
                    " CROSS JOIN (SELECT 'store' AS dim UNION ALL SELECT 'category' UNION ALL SELECT 'associate'"
                    " UNION ALL SELECT 'kind' UNION ALL SELECT 'resolution') d"
                    " WHERE v.score IS NOT NULL AND v.first_answered_at IS NOT NULL) x"
                    " GROUP BY dim, day, store_id, key",
                    NULL, "");
    return rc;
}

/* ---- the figures --------------------------------------------------------- */

int nps_each(struct dctx *c, const struct nps_query *q, int (*fn)(void *arg, const struct nps_row *r), void *arg)
{
    struct db_stmt *st;
    int rc;
    if (q->by == NPS_STORE)
        rc = db_query(c->db,
                      "SELECT s.code, s.name, SUM(n.promoters), SUM(n.passives), SUM(n.detractors)"
                      " FROM nps_counts n JOIN stores s ON s.id = n.store_id"
                      " WHERE n.dim = 'store' AND n.day >= ? AND n.day <= ? AND (? = 0 OR n.store_id = ?)"
                      " GROUP BY s.code, s.name ORDER BY s.name, s.code",
                      &st, "iiii", q->from_day, q->to_day, q->store_id, q->store_id);
    else if (q->by == NPS_ASSOCIATE)
        rc = db_query(c->db,
                      "SELECT n.key, COALESCE(a.name, n.key), SUM(n.promoters), SUM(n.passives), SUM(n.detractors)"
                      " FROM nps_counts n LEFT JOIN staff a ON a.login = n.key"
                      " WHERE n.dim = 'associate' AND n.day >= ? AND n.day <= ? AND (? = 0 OR n.store_id = ?)"
                      " AND (? = 0 OR n.key = ?)"
                      " GROUP BY n.key, a.name ORDER BY 2, 1",
                      &st, "iiiiit", q->from_day, q->to_day, q->store_id, q->store_id, (int64_t)(q->key != NULL),
                      q->key ? q->key : "");
    else   /* the key is its own label: no join per row */
        rc = db_query(c->db,
                      "SELECT n.key, n.key, SUM(n.promoters), SUM(n.passives), SUM(n.detractors) FROM nps_counts n"
                      " WHERE n.dim = ? AND n.day >= ? AND n.day <= ? AND (? = 0 OR n.store_id = ?)"
                      " GROUP BY n.key ORDER BY n.key",
                      &st, "tiiii", enum_map_name(&nps_dim_map, (int)q->by), q->from_day, q->to_day, q->store_id,
                      q->store_id);
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW) {
        struct nps_row r = {db_col_text(st, 0), db_col_text(st, 1), {0}};
        nps_figure_of(db_col_int64(st, 2), db_col_int64(st, 3), db_col_int64(st, 4), min_answers, &r.f);
        rc = fn(arg, &r);
    }
    return db_end(st, rc);
}
