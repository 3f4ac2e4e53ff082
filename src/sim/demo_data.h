/* demo_data.h — the demo chain's word lists and catalogue: stores, Dutch
 * first names and surnames (common ones first, so rng_front() makes "de
 * Vries" common and "Wijnands" rare), mail domains, product types with
 * their brands and variants, goods the chain does not sell, and what
 * customers say at the desk. Data only; what is made of it is in demo_*.c.
 */
#ifndef TD_DEMO_DATA_H
#define TD_DEMO_DATA_H
#include <stddef.h>

/* The demo's administrator login (its password is printed by `trustdesk demo`). */
#define DEMO_LOGIN_ADMIN "admin"
#include <stdint.h>

/* A list of words to draw from. */
struct demo_words { const char *const *item; uint32_t n; };

struct demo_store { const char *code, *name, *city, *slug; unsigned weight; };

struct demo_ptype {
    const char *category;
    const char *name;
    int price_lo, price_hi;       /* euros */
    const char *brands;           /* '|'-separated */
    const char *variants;         /* '|'-separated colours or models */
    unsigned popularity;
};

struct demo_goods { const char *brand, *description; };

#define DEMO_NSTORES 12
#define DEMO_NCATEGORIES 8
#define DEMO_NOT_OURS 7
#define DEMO_NOT_OURS_GOODS 5     /* the first ones are goods; the rest come in for repair */

extern const struct demo_store demo_chain[DEMO_NSTORES];
extern const struct demo_words demo_first_common, demo_first_rare, demo_last_common, demo_last_rare;
extern const struct demo_words demo_mail_domains, demo_case_words;
extern const struct demo_ptype demo_ptypes[];
extern const size_t demo_nptypes;
extern const char *const demo_categories[DEMO_NCATEGORIES];
extern const struct demo_goods demo_not_ours[DEMO_NOT_OURS];

#endif
