/* reasons.h — the reasons of a decision as codes with arguments.
 *
 * The policy and the guard explain themselves in reasons from one table,
 * reasons.def: a code, the kinds of its arguments, and a Dutch and an
 * English template. A decision stores {code, arguments}; the edge (the API,
 * the stored recommendation) renders the text with reason_render(), and
 * reports and tests group by code.
 *
 * Invariants:
 *  (1) a struct reason's arguments are those its code's row names, in that
 *      order (reason_set reads them by the row);
 *  (2) rendering is pure and never fails: a text that does not fit is cut
 *      at a character boundary, as the sentences always were.
 */
#ifndef TD_REASONS_H
#define TD_REASONS_H
#include <stddef.h>
#include <stdint.h>

struct json_t;

#define REASON_TEXT_SZ 256
#define REASON_ARGS_MAX 5
#define REASON_ARG_TEXT_SZ 112

enum reason_code {
#define REASON(id, code, args, nl, en) REASON_##id,
#define PHRASE(id, nl, en) PHRASE_##id,
#include "domain/reasons.def"
#undef REASON
#undef PHRASE
    REASON_CODE_COUNT
};

enum reason_lang { REASON_NL, REASON_EN };

/* One argument: a number (i, c, p: the phrase's code) or a text (t). */
struct reason_arg {
    int64_t n;
    char text[REASON_ARG_TEXT_SZ];
};

struct reason {
    enum reason_code code;
    int item;                                     /* 1..: said of that item ("Item 2: "), 0: of the case */
    struct reason_arg args[REASON_ARGS_MAX];
};

/* A row of reasons.def. name is NULL for a phrase. */
struct reason_row {
    const char *name;
    const char *args;                             /* "iic": one letter per argument */
    const char *nl, *en;
};

/* The row of code, NULL out of range. */
const struct reason_row *reason_row(enum reason_code code);

/* The API name of a reason's code ("guard_no_receipt_30d"); NULL for a
 * phrase or a value out of range. Static string. */
const char *reason_code_name(enum reason_code code);

/* Sets *r to code with the arguments its row names, in order: an int for i
 * and p (an enum reason_code), an int64_t for c, a const char * for t
 * (NULL: ""; longer texts are cut). item is set to 0. */
void reason_set(struct reason *r, enum reason_code code, ...);

/* The reason's sentence in lang into out (always terminated); returns
 * out. */
char *reason_render(const struct reason *r, enum reason_lang lang, char out[REASON_TEXT_SZ]);

/* A new JSON array of n reasons, each {"code", "nl", "en"} (the code of a
 * phrase or an unknown value is null); NULL when out of memory. The caller
 * owns the reference. */
struct json_t *reason_list_json(const struct reason *r, size_t n);

/* "€ 1.240,50" (REASON_NL) or "€1,240.50" into out of size n. */
void reason_money(int64_t cents, enum reason_lang lang, char *out, size_t n);

#endif
