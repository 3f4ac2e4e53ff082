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

#endif
