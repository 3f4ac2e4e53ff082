/* api_feedback.h — the feedback part of the GDPR export (api_followups.c). */
#ifndef TD_API_FEEDBACK_H
#define TD_API_FEEDBACK_H
#include "api/api.h"

/* The customer's surveys with their answers and the follow-ups of their
 * cases, as one object (*out owned by the caller). */
int api_feedback_export(struct api_call *a, int64_t customer_id, json_t **out /* OUT */) TD_MUST_CHECK;

#endif
