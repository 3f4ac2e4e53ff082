/* api_feedback.h — the feedback part of the GDPR export (api_followups.c). */
#ifndef TD_API_FEEDBACK_H
#define TD_API_FEEDBACK_H
#include "api/api.h"

/* The customer's surveys with their answers and the follow-ups of their
 * cases, as one object (*out owned by the caller). */
int api_feedback_export(struct api_call *a, int64_t customer_id, json_t **out /* OUT */) TD_MUST_CHECK;

struct nps_share;
/* A recovery figure (domain/nps.h) as {k, n, share, low, high, too_few}:
 * share and its Wilson interval null below the minimum. */
json_t *api_share_json(const struct nps_share *s);
struct nps_figure;
/* An NPS figure (domain/nps.h) as {n, promoters, passives, detractors,
 * score, low, high, too_few}: score and interval null below the minimum. */
json_t *api_nps_figure_json(const struct nps_figure *f);
/* The columns of that figure in an export table (export.h's EXPORT_COL):
 * p is the path to it in the item ("nps." or ""), h what the headers of
 * its interval begin with ("NPS " beside other figures, or ""). */
#define API_NPS_FIGURE_COLS(p, h)                                                                      \
    EXPORT_COL(p "n", "antwoorden", "answers", EXPORT_INT),                                            \
    EXPORT_COL(p "promoters", "promotors", "promoters", EXPORT_INT),                                   \
    EXPORT_COL(p "passives", "passief", "passives", EXPORT_INT),                                       \
    EXPORT_COL(p "detractors", "criticasters", "detractors", EXPORT_INT),                              \
    EXPORT_COL(p "score", "NPS", "NPS", EXPORT_DECIMAL),                                               \
    EXPORT_COL(p "low", h "ondergrens (95%)", h "low (95%)", EXPORT_DECIMAL),                          \
    EXPORT_COL(p "high", h "bovengrens (95%)", h "high (95%)", EXPORT_DECIMAL)

#endif
