/* demo_gen.h — inside the demo generator (sim/demo*.c); not for other modules.
 *
 * The generator's state (struct gen), the rows the producer thread makes
 * and the writer writes, the case history's plan, and the functions the
 * generator's files share (prefix demo__):
 *
 *   demo.c            demo_generate: the transaction, the producer/writer
 *                     pipeline, the order of the steps
 *   demo_people.c     stores and staff; customers (names, contacts,
 *                     loyalty numbers, consent, search terms, identity keys)
 *   demo_purchases.c  the shopping calendar, the catalogue, receipts and
 *                     lines, and the aggregates they feed
 *   demo_catalogue.c  the catalogue's styles and sizes, stock per store, the
 *                     knitwear collection and where it arrives
 *   demo_profile.c    what clienteling knows of a customer: their book,
 *                     sizes, likes, dates, notes, objection, spend per category
 *   demo_plan.c       the case history's plan: who does what at the desk
 *   demo_history.c    the plan replayed through the desk, the labels
 *   demo_bulk.c       the history's rollups written in bulk after it
 *   demo_feedback.c   survey answers, follow-ups, a staff survey, the
 *                     secrets board and value cards
 *   demo_write.c      rows into the database, 64 at a time
 *   demo_data.c       the word lists and the catalogue (data only)
 *
 * Threads: the producer thread runs demo__make_customer and
 * demo__make_anonymous (and what they call); the caller's thread everything
 * that touches g->db. Which fields each side owns is said in struct gen.
 */
#ifndef TD_DEMO_GEN_H
#define TD_DEMO_GEN_H
#include "core/buf.h"
#include "core/rng.h"
#include "core/token.h"
#include "domain/domain.h"
#include "domain/identity.h"
#include "sim/demo.h"
#include "sim/demo_data.h"
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
/* A random element of array a, of word list l, of l favouring its front. */
#define PICK(r, a) ((a)[rng_below((r), (uint32_t)COUNT(a))])
#define PICK_WORD(r, l) ((l).item[rng_below((r), (l).n)])
#define PICK_FRONT(r, l) ((l).item[rng_front((r), (l).n)])

/* The families of streams (core/rng.h) that share the seed. */
enum { STREAM_CUSTOMER = 1, STREAM_ANON = 2, STREAM_STAFF = 3, STREAM_CATALOGUE = 4, STREAM_CASES = 5,
       STREAM_PROFILE = 6, STREAM_ANON_SIZE = 7, STREAM_STOCK = 8, STREAM_FEEDBACK = 9,
       STREAM_GOODWILL = 10 };

#define NSTORES DEMO_NSTORES
#define NCATEGORIES DEMO_NCATEGORIES
#define ASSOCIATES_PER_STORE 4
#define DEMO_NSYSTEMS 8               /* size systems (demo_catalogue.c) */

/* One sku. The skus of one type and brand lie together: per colour (a
 * style of the catalogue, or a plain product where the type has no sizes)
 * its sizes in order. */
struct demo_product {
    int64_t id;
    int64_t price;                /* cents */
    int category;                 /* index into demo_categories[] */
    int32_t style_first, style_n; /* the first sku of its type and brand, how many colours they come in */
    int16_t system;               /* its size system (demo_size_systems[]), -1: no sizes */
    uint8_t size_n, size_i;       /* how many sizes its colour has, which one this is */
    int32_t style;                /* its row of styles (1-based), 0: a plain product */
    char sku[24];                 /* for the case history, which names items by SKU */
    char brand[24], colour[24];   /* for likes */
};

/* ---- time -------------------------------------------------------------- */

#define US 1000000LL
#define DAY_S 86400LL
#define HISTORY_DAYS 730

/* The shopping calendar: for each of the last HISTORY_DAYS local days, how
 * busy it is (Saturdays and December busy, Mondays quiet) and its opening
 * hours; cdf[] lets a day be drawn in proportion to its weight. */
struct calendar {
    int64_t first_day;            /* local day number of day 0 */
    double cdf[HISTORY_DAYS];
    unsigned char open_h[HISTORY_DAYS], close_h[HISTORY_DAYS];
};

/* ---- rows ---------------------------------------------------------------- */

/* The producer thread turns customers into rows; the connection's thread
 * writes them. All formatting happens on the producer side. */

#define SEARCH_TEXT_SZ 700

struct customer_row {
    int64_t id, home_store_id, created_at, email_consent_at, phone_consent_at;
    int64_t email_consent, phone_consent;
    const char *email_source, *phone_source;     /* static strings or NULL */
    const char *lang;                            /* "nl" or "en" */
    char loyalty[11], name[240], email[EMAIL_SZ], phone[PHONE_SZ], search_text[SEARCH_TEXT_SZ];
};
struct consent_row { int64_t customer_id, at; const char *channel, *source; int64_t given; };
struct receipt_row { int64_t id, store_id, customer_id, at; char ref[16]; };
struct line_row { int64_t receipt_id, line_no, customer_id, product_id, price, qty; };
struct term { const char *text; int64_t customer_id; };
struct facts_row { int64_t customer_id, spend, visits, first, last; };
struct day_row { int64_t customer_id, day, purchases; };
/* What clienteling knows of a customer (demo_profile.c); text columns point
 * at static strings or at the catalogue (g->products), which outlive the
 * rows. */
struct book_row { int64_t customer_id, store_id, staff_id, second_id, at; };
struct spend_row { int64_t customer_id; const char *category; int64_t spend, lines, last_at; const char *last_size; int64_t last_size_at; };
struct size_row { int64_t customer_id; const char *category, *size, *source; int64_t at; };
struct pref_row { int64_t customer_id; const char *kind, *value; int64_t sentiment, at; };
struct date_row { int64_t id, customer_id; const char *kind; int64_t month, day; const char *label; };
struct note_row { int64_t id, customer_id, staff_id, at; const char *text; };
struct objection_row { int64_t customer_id, at; const char *source; };
struct stock_row { int64_t store_id, product_id, on_hand, at; };

/* A growing array of rows of one kind. */
struct rowset { void *v; size_t n, cap; };

/* The rows of CHUNK_CUSTOMERS customers and the anonymous receipts made
 * alongside them. */
#define CHUNK_CUSTOMERS 2048
struct chunk {
    struct customer_row *customers;
    size_t ncustomers;
    struct consent_row *consents;
    size_t nconsents, consents_cap;
    struct receipt_row *receipts;
    size_t nreceipts, receipts_cap;
    struct line_row *lines;
    size_t nlines, lines_cap;
    struct facts_row *facts;           /* one per customer */
    struct day_row *days;
    size_t ndays, days_cap;
    struct rowset books, spend, sizes, prefs, dates, notes, objections;   /* clienteling's rows */
};

/* ---- the producer/writer pipeline ----------------------------------------
 *
 *   producer thread:  take a spare chunk -> fill it -> queue it as ready
 *   writer (caller):  take the oldest ready chunk -> write it -> spare it
 *
 * Chunks are written in the order they were made, so ids still grow. Either
 * side stops when `stop` is set; the writer sets it on a database error. */

#define NCHUNKS 4

struct pipeline {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct chunk *all[NCHUNKS];
    struct chunk *spare[NCHUNKS];
    size_t nspare;
    struct chunk *ready[NCHUNKS];   /* FIFO ring */
    size_t ready_head, nready;
    int producer_done, producer_rc, stop;
};

/* ---- the case history's plan (see demo_plan.c) ------------------------ */

/* A purchase a plan needs at a given moment: one line, or two (two sizes
 * of one style, product2 >= 0). */
struct planted {
    int64_t at;
    int store;                     /* index into demo_chain[] */
    int64_t product;               /* index into g->products */
    int qty;
    int64_t product2;              /* a second line, or -1 */
    char ref[16];                  /* the receipt reference, once made */
};

/* One item of a planned case: one of our products (with the receipt's
 * reference, or "" when the customer brings no receipt), or goods not sold
 * here (product -1; brand and description from demo_not_ours[nsh]). */
struct plan_item {
    int32_t product;
    int16_t nsh;
    uint8_t condition;             /* enum policy_condition */
    uint8_t gift;                  /* brought with a gift receipt (ref: the giver's receipt) */
    char ref[16];
    int64_t stated_cents;
};

/* A walk-in brings the case (customer_id 0): who they are for the labels,
 * and what they answer when the desk asks for a contact. */
enum { CONTACT_REFUSES = 0, CONTACT_PHONE = 1, CONTACT_EMAIL = 2 };

struct plan_case {
    int64_t at, customer_id;
    int64_t walk_in;               /* a walk-in's person number (below 0), 0 for a customer */
    int32_t store;
    uint8_t kind;                  /* enum policy_kind */
    uint8_t receipt, n_items, words;
    uint8_t contact;               /* a walk-in's answer: CONTACT_* */
    uint8_t label;                 /* a walk-in's label (demo__role_labels index) */
    struct plan_item items[2];
};

/* What one customer's plan leaves for the next ones: the accounts of a
 * ring (a contact to share, the leader as their person) and the presents a
 * giver bought for the next customer. */
#define PRESENTS_MAX 3
struct pending {
    int64_t index;                    /* the customer it is for */
    int role;                         /* ROLE_RING_MEMBER or ROLE_GIFT_RECEIVER */
    int64_t person;                   /* the ring's leader, the giver */
    char phone[PHONE_SZ];             /* a shared phone ("": the customer's own) */
    int share_mail;                   /* the next member writes this one's mailbox another way */
    char mail[EMAIL_SZ];              /* a mailbox to write another way ("": the customer's own) */
    int64_t before;                   /* the account exists before this moment (the ring's first case) */
    int npresents;
    struct { char ref[16]; int32_t product; int64_t at; int store; } presents[PRESENTS_MAX];
};

struct plan_label { int64_t customer_id, person; const char *label; };
struct key_row { char key[IDENTITY_KEY_SZ]; int64_t customer_id, shared; };
struct person;

struct gen {
    struct db *db;                  /* used by the writer only */
    const struct demo_config *cfg;
    struct demo_summary *sum;
    struct calendar cal;
    int64_t store_ids[NSTORES];
    unsigned store_weight_total;
    struct demo_product *products;
    int64_t nproducts;
    int64_t *by_category[NCATEGORIES];  /* product indexes per category, popular ones repeated */
    int64_t ncat[NCATEGORIES];
    struct pipeline pipe;
    /* Owned by the producer until it is done: */
    int64_t next_receipt_id;
    int64_t loyalty_seq, loyalty_step;
    struct buf terms, search_text;      /* reused by customer_index_text */
    struct term *term_list;             /* every customer's terms, sorted at the end */
    size_t nterms, term_cap;
    char **pools;                       /* term texts, 16 MiB at a time */
    size_t npools, pool_used, pool_cap;
    struct person *person;              /* the planner's scratch for one customer */
    struct plan_case *plan;             /* the case history, in customer order until sorted */
    size_t nplan, plan_cap;
    struct plan_label *labels;          /* the labelled people, in id order */
    size_t nlabels, labels_cap;
    struct pending pending[4];          /* for the next customers, in order */
    int npending;
    uint64_t *mailboxes;                /* an open-addressing set of the mailboxes handed out (hashes) */
    size_t mailbox_cap;
    unsigned char secret[TOKEN_KEY_LEN];/* the identity secret (identity.h), read before the producer starts */
    struct key_row *key_list;           /* every customer's identity keys, sorted at the end */
    size_t nkeys, key_cap;
    /* The purchases' part of the customer aggregates (see count_line),
     * producer-owned until it is done: */
    int64_t days_from_us;               /* customer_days counts purchases from here */
    int64_t price_day0, nprice_days;    /* product_price_days: UTC days price_day0 .. + nprice_days */
    int64_t *price_min;                 /* [product index * nprice_days + day - price_day0], 0: no sale */
    int64_t cat_day0, ncat_days;        /* category_days: UTC days cat_day0 .. + ncat_days */
    int64_t *cat_days;                  /* purchases [category * ncat_days + day - cat_day0] */
    int64_t next_date_id, next_note_id; /* clienteling's explicit ids, producer-owned */
    int cat_order[NCATEGORIES];         /* category indexes in the order of their names */
    /* Read when the staff is loaded, before the producer starts; read-only after: */
    int64_t associate_ids[NSTORES][ASSOCIATES_PER_STORE], manager_ids[NSTORES];
};

/* ---- the case history (see demo_plan.c) ---- */

#define CASE_DAYS 182                 /* the case history covers the last half year */
#define CASE_FIRST_DAY (HISTORY_DAYS - CASE_DAYS)
#define HONEST_PERMILLE 65
#define ABUSER_PERMILLE 10
#define HONEST_KINDS_PERMILLE 8           /* gift 2, card 2, family 1.5, big ticket 1, walk-in 1.5 */
#define PERSON_PLANTED 16
#define PERSON_CASES 16

enum { ROLE_NONE, ROLE_HONEST, ROLE_SERIAL, ROLE_WARDROBER, ROLE_CROSS, ROLE_RECEIPTED_WARDROBER, ROLE_RECEIPT_REUSE,
       ROLE_RING, ROLE_WALK_IN_REPEATER, ROLE_GIFT, ROLE_CARD, ROLE_FAMILY, ROLE_BIG_TICKET, ROLE_WALK_IN,
       ROLE_RING_MEMBER, ROLE_GIFT_RECEIVER, ROLE_COUNT };
extern const char *const demo__role_labels[ROLE_COUNT];    /* NULL: not labelled */

/* What the planner knows of one customer while making them. */
struct person {
    int64_t index, id, created_at;
    int home, member, role;
    const struct pending *forced;     /* what an earlier customer's plan made this one, or NULL */
    struct planted pl[PERSON_PLANTED];
    int npl;
    struct plan_case cases[PERSON_CASES];
    int8_t pl_of[PERSON_CASES];       /* the planted purchase a case's item comes from, or -1 */
    int ncases;
    uint8_t size[DEMO_NSYSTEMS];      /* the size they wear in each size system (an index) */
};

/* ---- clienteling (demo_catalogue.c, demo_profile.c) ---- */

/* How one kind of goods is sized: its sizes, smallest first, and how
 * common each is among the customers (weights). */
#define DEMO_SIZES_MAX 10
enum { SZ_DAMES, SZ_HEREN, SZ_KIDS, SZ_BABY, SZ_SHOES, SZ_KIDS_SHOES, SZ_SOCKS, SZ_ONE };
struct demo_size_system { uint8_t n; const char *size[DEMO_SIZES_MAX]; uint8_t weight[DEMO_SIZES_MAX]; };
extern const struct demo_size_system demo_size_systems[DEMO_NSYSTEMS];

#define DEMO_COLLECTION_CODE "KNIT-AW26"
#define DEMO_COLLECTION_NAME "Knitwear autumn"

/* ---- shared inside the generator ---- */

/* Makes room for one more element in a growing array (realloc). */
int demo__grow(void **items, size_t *cap, size_t n, size_t size) TD_MUST_CHECK;
/* A new zeroed row at the end of s (NULL: out of memory). */
void *demo__push(struct rowset *s, size_t size);

/* demo_people.c */
int demo__load_stores(struct gen *g) TD_MUST_CHECK;
int demo__load_staff(struct gen *g) TD_MUST_CHECK;
int demo__load_staff_ids(struct gen *g) TD_MUST_CHECK;
int demo__make_customer(struct gen *g, struct chunk *c, int64_t i) TD_MUST_CHECK;
void demo__sort_terms(struct gen *g);
void demo__phone_digits(int64_t n, int walk_in, char out[11]);

/* demo_purchases.c */
void demo__calendar_init(struct calendar *cal, int64_t end_us);
int64_t demo__calendar_moment(const struct calendar *cal, struct rng *r, int i);
int demo__pick_store(const struct gen *g, struct rng *r);
int demo__make_purchases(struct gen *g, struct chunk *c, struct rng *r, struct rng *sr, const uint8_t *sizes,
                         int64_t id, int64_t created_at, int home, struct planted *pl, int npl) TD_MUST_CHECK;
int demo__make_anonymous(struct gen *g, struct chunk *c, int64_t slot, int64_t nslots) TD_MUST_CHECK;
int demo__count_customer(struct gen *g, struct chunk *c, int64_t id, size_t rfirst, size_t lfirst) TD_MUST_CHECK;

/* demo_catalogue.c */
int demo__category_index(const char *c);       /* the demo's category numbered, 0 when unknown */
int demo__load_products(struct gen *g) TD_MUST_CHECK;
int demo__load_collection(struct gen *g) TD_MUST_CHECK;
int64_t demo__in_size(const struct gen *g, int64_t product, unsigned size);
const char *demo__size_of(const struct demo_product *p);   /* NULL: no sizes */
unsigned demo__draw_size(int system, struct rng *r);

/* demo_profile.c */
void demo__profile_begin(struct rng *pr, struct person *pp, struct customer_row *cu);
int demo__make_profile(struct gen *g, struct chunk *c, struct rng *pr, const struct customer_row *cu, int home,
                       size_t rfirst, size_t lfirst) TD_MUST_CHECK;

/* demo_plan.c */
void demo__plan_role(struct gen *g, struct person *pp, struct rng *r, const char *phone, const char *email);
void demo__plan_honest(struct gen *g, const struct chunk *c, struct rng *r, struct person *pp, size_t rfirst,
                       size_t lfirst);
int demo__plan_finish(struct gen *g, struct person *pp) TD_MUST_CHECK;

/* demo_history.c */
int demo__run_history(struct gen *g) TD_MUST_CHECK;

/* demo_bulk.c: the subscribers the history leaves out (struct dctx's
 * events_quiet), and their rows written after the last case. */
unsigned demo__bulk_quiet(const struct gen *g);
int demo__bulk_rollups(struct gen *g) TD_MUST_CHECK;

/* demo_goodwill.c */
int demo__plant_goodwill(struct gen *g, int64_t history_start_us) TD_MUST_CHECK;   /* the planted receipts count from there */

/* demo_feedback.c */
int demo__feedback(struct gen *g) TD_MUST_CHECK;

/* demo_write.c */
int demo__write_chunk(struct gen *g, const struct chunk *c) TD_MUST_CHECK;
int demo__write_terms(struct gen *g) TD_MUST_CHECK;
int demo__write_keys(struct gen *g) TD_MUST_CHECK;
int demo__write_chain_facts(struct gen *g) TD_MUST_CHECK;
int demo__write_stock(struct gen *g, const struct stock_row *rows, size_t n) TD_MUST_CHECK;
int demo__sync_ids(struct gen *g) TD_MUST_CHECK;

#endif
