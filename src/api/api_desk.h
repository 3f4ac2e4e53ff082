/* api_desk.h — what api_cases.c and api_repairs.c share (the desk over
 * HTTP); nothing else uses it. */
#ifndef TD_API_DESK_H
#define TD_API_DESK_H
#include <jansson.h>
#include <stdint.h>
#include "core/status.h"

struct api_call;
struct desk_repair;

/* A repair as docs/openapi.yaml names it; the caller owns the object. */
json_t *api_repair_json(const struct desk_repair *r);

/* The id of the store with code (0 when code is NULL); an unknown code is a
 * problem with field. */
int api_store_of(struct api_call *a, const char *code, const char *field, int64_t *id) TD_MUST_CHECK;

/* The {id} of the path and the JSON body, checked against fields (their
 * problems in a->err, for the caller to look at); *b is the caller's to
 * free. */
struct api_field;
int api_id_body(struct api_call *a, const struct api_field *fields, int64_t *id, json_t **b) TD_MUST_CHECK;

#endif
