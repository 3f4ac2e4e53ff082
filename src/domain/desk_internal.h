/* desk_internal.h — what the desk's files (desk.c, desk_resolve.c,
 * desk_repair.c, desk_dashboard.c) share and nothing outside them uses.
 * The public contract is desk.h.
 */
#ifndef TD_DESK_INTERNAL_H
#define TD_DESK_INTERNAL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "domain/desk.h"
#include "domain/events.h"
#include <jansson.h>

struct errors;
struct facts_case;
struct policy;

/* Adds to err when s is missing (and required), not UTF-8 or longer than max
 * characters. */
void desk__check_text(struct errors *err, const char *field, const char *s, size_t max, int required);

/* Emits one step of case case_id (events.h: its case_events row, by c->actor
 * at c->now_us, and its subscribers). */
int desk__event(struct dctx *c, int64_t case_id, enum event_kind kind, const char *detail) TD_MUST_CHECK;

/* Return, exchange or referral: goods come back. */
bool desk__is_return_kind(enum policy_kind k);

/* What a case adds to the aggregates (desk.c). */
int desk__case_facts(struct dctx *c, const struct policy *p, enum policy_kind kind, bool receipt, int64_t customer_id,
                     int64_t store_id, int64_t case_id, const struct desk_item *items, size_t n,
                     struct facts_case *fc) TD_MUST_CHECK;

/* A walk-in's contact, kept as a key when the decision asks for one
 * (desk_resolve.c). */
int desk__keep_walk_in_contact(struct dctx *c, struct desk_case *k, const char *contact, enum policy_referral referral,
                               bool quiet, struct errors *err) TD_MUST_CHECK;

/* What a decision saw, as the document decision_inputs keeps (desk_inputs.c);
 * NULL when out of memory. The caller owns it. */
json_t *desk__inputs_json(const struct case_in *ci, const struct customer_facts *facts,
                          const struct guard_signals *sig, const struct risk *risk, const struct decision *d);

/* Reads a stored inputs document into in (its text from in->text_used on):
 * DESK_INPUTS_ANY the one-pass scanner, falling back to jansson's tree for
 * a document it does not take; _SCAN or _TREE only one of them (tests).
 * TD_E_INTERNAL for a document that lacks a field. */
enum { DESK_INPUTS_ANY = 0, DESK_INPUTS_SCAN = 1, DESK_INPUTS_TREE = 2 };
struct desk_inputs;
int desk__inputs_parse(const char *text, struct desk_inputs *in, int how) TD_MUST_CHECK;

/* text's inputs (a document, as desk__inputs_parse) into in, and their
 * compact form (decision_replay.inputs; malloc'd, the caller frees, also
 * NULL when the form would be too long: the document serves then). */
int desk__inputs_compact(const char *text, struct desk_inputs *in, char **compact /* OUT */) TD_MUST_CHECK;

/* A stored text into in: the compact form or the document, by its first
 * byte. TD_E_INTERNAL for one that lacks a field. */
int desk__inputs_read(const char *text, struct desk_inputs *in) TD_MUST_CHECK;

/* Stores the inputs of case k's decision (desk__inputs_json()) at c->now_us
 * (decision_inputs, and decision_replay's compact row beside it). */
int desk__inputs_save(struct dctx *c, const struct desk_case *k, const json_t *inputs) TD_MUST_CHECK;

#endif
