/* demo.c — the Dutch demo chain (see demo.h).
 *
 * What it makes, for N customers:
 *   12 stores in Dutch cities (UTR01 Utrecht, AMS01 Amsterdam, ...);
 *   per store one manager and four associates, plus one admin;
 *   a department-store catalogue (dames, heren, kinderen, wonen, keuken,
 *   elektra, beauty, sport) with brands and prices in cents;
 *   N customers with Dutch names (accents, particles, double names), e-mail
 *   addresses folded from the names and mobile numbers in the ways people
 *   write them (both one person's own: only a ring's accounts share one),
 *   10-digit loyalty numbers starting with 8, a home store, and for
 *   part of them marketing consent given at loyalty sign-up;
 *   about 9 purchase lines per customer over the last two years plus about
 *   one line per customer on anonymous receipts (no customer);
 *   the customer aggregates those purchases feed (customer_facts,
 *   customer_days, product_price_days, category_days);
 *   their identity keys (keyed hashes of phone and mailbox; identity.h);
 *   a case history over the last half year: honest customers' returns,
 *   labelled kinds of honest people and planted, labelled abusers (walk-ins
 *   among them), replayed through the desk (see "the case history" below),
 *   with their credit notes, repairs and approvals.
 *
 * Invariants:
 *  (1) the output depends only on the seed, N and end_us: one producer
 *      thread makes customers in id order, each customer (and each
 *      anonymous receipt slot) drawing from its own PRNG stream derived from
 *      (seed, index); the writer only writes what it is given, in order;
 *      (the identity secret, and so the keys made with it, is drawn at random
 *      per database, as identity_secret() does; which accounts share a key
 *      does not depend on it);
 *  (2) search terms and search_text come from customer_index_text(), the
 *      function customer_create() uses, so search finds demo customers
 *      exactly as it finds customers made at the desk;
 *  (3) every consent column set here has its consent_events row, as
 *      customer_create() would write it, and every phone and e-mail its
 *      identity key, as identity_set_customer() would (with `shared`);
 *  (4) rows are written in the order of the indexes they feed (customer ids,
 *      loyalty numbers and receipt references all increase; a customer's
 *      receipts are in time order), so most index inserts append. The one
 *      key that cannot be fed in order, customer_search's (term,
 *      customer_id), is filled from a sorted list after the customers, with
 *      its by-customer index dropped and rebuilt around it (write_terms);
 *  (5) everything happens in one transaction: a failed load leaves nothing;
 *  (6) the purchase aggregates are exactly what facts_add_receipts(db, 1,
 *      last receipt, demo_history_start_us(end)) would count (test_evaluate
 *      compares them): the producer counts them as it makes the rows, because
 *      that function's grouped scans of all lines would take about 30 s at a
 *      million customers, half the demo's time budget;
 *  (7) the case history's cases are made by the desk itself (desk_case_create,
 *      desk_resolve accepting the recommendation, desk_approve) in time order, so what is
 *      stored is what the desk would have recommended at that moment. Only
 *      credit-note codes are random (the ledger's, by design), and the
 *      identity keys (see (1)).
 *
 * Work is split in two: SQLite has one writer, and making the rows (names,
 * folding, formatting) is about a quarter of the work, which a second core
 * can do meanwhile:
 *
 *   producer thread           chunks of 2048 customers       writer (caller)
 *   make_customer ... ------> [spare] -> [ready, FIFO] ----> write_chunk
 *   (plans cases, counts      (+ facts and day rows)
 *    the aggregates)
 *   then sort the terms                                      then write_terms,
 *                                                            run_history
 */
#include "sim/demo.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/rng.h"
#include "core/text.h"
#include "db/db.h"
#include "core/log.h"
#include "domain/customer.h"
#include "domain/desk.h"
#include "domain/domain.h"
#include "domain/facts.h"
#include "domain/identity.h"
#include "domain/policy_store.h"
#include "domain/store.h"
#include <math.h>
#include <pthread.h>
#include <sodium.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define PICK(r, a) ((a)[rng_below((r), (uint32_t)COUNT(a))])
#define PICK_FRONT(r, a) ((a)[rng_front((r), (uint32_t)COUNT(a))])

enum { STREAM_CUSTOMER = 1, STREAM_ANON = 2, STREAM_STAFF = 3, STREAM_CATALOGUE = 4 };

/* ---- the chain --------------------------------------------------------- */

struct demo_store { const char *code, *name, *city, *slug; unsigned weight; };

static const struct demo_store chain[] = {
    {"AMS01", "Warenhuis Amsterdam Kalverstraat", "Amsterdam", "amsterdam", 16},
    {"RTM01", "Warenhuis Rotterdam Lijnbaan", "Rotterdam", "rotterdam", 13},
    {"UTR01", "Warenhuis Utrecht Hoog Catharijne", "Utrecht", "utrecht", 12},
    {"DHG01", "Warenhuis Den Haag Grote Marktstraat", "Den Haag", "denhaag", 11},
    {"EIN01", "Warenhuis Eindhoven Piazza", "Eindhoven", "eindhoven", 9},
    {"GRO01", "Warenhuis Groningen Herestraat", "Groningen", "groningen", 7},
    {"NIJ01", "Warenhuis Nijmegen Broerstraat", "Nijmegen", "nijmegen", 6},
    {"ARN01", "Warenhuis Arnhem Ketelstraat", "Arnhem", "arnhem", 6},
    {"HLM01", "Warenhuis Haarlem Grote Houtstraat", "Haarlem", "haarlem", 5},
    {"MST01", "Warenhuis Maastricht Entre Deux", "Maastricht", "maastricht", 5},
    {"ZWO01", "Warenhuis Zwolle Diezerstraat", "Zwolle", "zwolle", 5},
    {"BRD01", "Warenhuis Breda Ginnekenstraat", "Breda", "breda", 5},
};
#define NSTORES ((int)COUNT(chain))
#define ASSOCIATES_PER_STORE 4

/* ---- names, common first ----------------------------------------------- */

static const char *const first_common[] = {
    "Sanne", "Jan", "Emma", "Daan", "Lotte", "Peter", "Julia", "Sem", "Anna", "Kees", "Sophie", "Bas",
    "Eva", "Thijs", "Iris", "Henk", "Fleur", "Lucas", "Anouk", "Willem", "Marieke", "Ruben", "Femke",
    "Jeroen", "Noor", "Bram", "Linda", "Johan", "Esther", "Mark", "Ingrid", "Maarten", "Petra", "Gerrit",
    "Monique", "Tim", "Yvonne", "Niels", "Wilma", "Joris", "Tess", "Stijn", "Maud", "Wouter", "Lisa",
    "Ruud", "Ilse", "Jesse", "Saar", "Milan", "Evi", "Finn", "Annemieke", "Levi", "Gerda", "Dennis",
    "Karin", "Luuk", "Mees", "Hanneke", "Sjoerd", "Marco", "Roos", "Pieter", "Lieke", "Hans", "Nina",
    "Jasper", "Bart", "Astrid", "Freek", "Miriam", "Koen", "Vera", "Dirk", "Mirjam", "Rik", "Ellen",
};

static const char *const first_rare[] = {
    "José", "Zoë", "Chloë", "Noël", "Anaïs", "Joël", "Joëlle", "Renée", "André", "René", "Hélène",
    "Inès", "Maëlle", "Loïs", "Michaël", "Raphaël", "Ömer", "Ayşe", "Çağla", "Gülşen", "Agnès",
    "François", "Jürgen", "Søren", "Björn", "Mehmet", "Fatma", "Mohamed", "Fatima", "Youssef",
    "Nadia", "Yasmina", "Priya", "Amélie", "Océane", "Thérèse", "Żaneta", "Małgorzata", "Łukasz",
    "Zoltán", "Ángel", "Dóra", "Siân", "Aoife", "Pierre-Yves", "Anne-Marie", "Jean-Paul",
};

static const char *const last_common[] = {
    "de Vries", "Jansen", "de Jong", "van den Berg", "Bakker", "van Dijk", "Janssen", "Visser",
    "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks",
    "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Meer",
    "van der Linden", "Kok", "Jacobs", "de Haan", "Vermeulen", "van den Heuvel", "van der Veen",
    "van den Broek", "de Bruijn", "de Bruin", "van der Heijden", "Schouten", "van Beek", "Willems",
    "van Vliet", "van de Ven", "Hoekstra", "Maas", "Verhoeven", "Koster", "van Dam", "van der Wal",
    "Prins", "Blom", "Huisman", "Peeters", "de Jonge", "Kuipers", "van Veen", "Post", "Kuiper",
    "Veenstra", "Kramer", "van den Brink", "Scholten", "van Wijk", "Postma", "Martens", "Vink",
    "de Ruiter", "Timmermans", "Groen", "Gerritsen", "Jonker", "van Loon", "Boer", "van der Velde",
    "Willemsen", "Smeets", "de Lange", "de Vos", "Bosch", "van Dongen", "Schipper", "de Koning",
    "van der Laan", "Koning", "Driessen", "van Doorn", "Hermans", "Evers", "van den Bosch",
    "van der Meulen", "Hofman", "Bosman", "Wolters", "Sanders", "van der Horst", "Mol", "Kuijpers",
    "Molenaar", "van de Pol", "de Leeuw", "Verbeek", "Dijkman", "Brinkman", "Wijnands",
};

static const char *const last_rare[] = {
    "Müller", "van 't Hek", "Çelik", "Yılmaz", "Şahin", "Öztürk", "Kaya", "Demir", "El Amrani",
    "Bouzid", "Ouali", "Kowalski", "Nowak", "Wiśniewski", "Dvořák", "Janković", "Schröder",
    "Bäcker", "Faßbender", "Lefèvre", "Gómez", "Peña", "García", "Fernández", "'t Hooft",
    "d'Ancona", "van 't Zand", "ter Horst", "in 't Veld", "op den Akker", "Ündemir", "Jiménez",
    "Łopatka", "Nørgaard", "Göksu", "Sánchez", "Doğan", "Kılıç", "Aydın", "Özdemir",
};

/* A person's name: "Zoë van den Berg", "José Yılmaz", "Anna Jansen-de Vries". */
static void make_name(struct rng *r, char *first, size_t fn, char *last, size_t ln)
{
    snprintf(first, fn, "%s", rng_pct(r, 14) ? PICK(r, first_rare) : PICK_FRONT(r, first_common));
    const char *a = rng_pct(r, 12) ? PICK(r, last_rare) : PICK_FRONT(r, last_common);
    if (rng_pct(r, 5)) {
        /* A double name; a particle at the start of the second part stays lower case. */
        const char *b = PICK_FRONT(r, last_common);
        snprintf(last, ln, "%s-%s", a, b);
    } else {
        snprintf(last, ln, "%s", a);
    }
}

/* The ASCII letters of s folded (accents off, lower case, no spaces or
 * punctuation), for e-mail addresses and logins: "van 't Hek" -> "vanthek". */
static void ascii_compact(const char *s, char *out, size_t n)
{
    struct buf f;
    buf_init(&f, 1024);
    size_t k = 0;
    if (text_fold(s, &f) == TD_OK && f.data)
        for (const char *p = f.data; *p && k + 1 < n; p++)
            if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')) out[k++] = *p;
    out[k] = '\0';
    buf_free(&f);
}

static const char *const mail_domains[] = {
    "gmail.com", "gmail.com", "gmail.com", "hotmail.com", "hotmail.com", "outlook.com", "ziggo.nl",
    "ziggo.nl", "kpnmail.nl", "live.nl", "icloud.com", "xs4all.nl", "planet.nl", "home.nl",
    "yahoo.com", "hotmail.nl", "upcmail.nl", "telfort.nl",
};

static void make_email(struct rng *r, const char *first, const char *last, char *out, size_t n)
{
    char f[64], l[96];
    ascii_compact(first, f, sizeof f);
    ascii_compact(last, l, sizeof l);
    const char *dom = PICK(r, mail_domains);
    switch (rng_below(r, 6)) {
    case 0: snprintf(out, n, "%s.%s@%s", f, l, dom); break;
    case 1: snprintf(out, n, "%c.%s@%s", f[0] ? f[0] : 'x', l, dom); break;
    case 2: snprintf(out, n, "%s%s%02u@%s", f, l, rng_below(r, 100), dom); break;
    case 3: snprintf(out, n, "%s_%s@%s", f, l, dom); break;
    case 4: snprintf(out, n, "%s.%s%u@%s", l, f, 1950 + rng_below(r, 56), dom); break;
    default: snprintf(out, n, "%s%u@%s", f, 1 + rng_below(r, 999), dom); break;
    }
}

/* A Dutch mobile number written one of the ways customers give it; all of
 * them normalise to "06xxxxxxxx". The digits are the person's own
 * (phone_digits: nobody shares a number by chance); the stream still draws
 * eight, so that what follows in it stays as it was. */
static void make_phone(struct rng *r, const char number[11], char *out, size_t n)
{
    for (int i = 0; i < 8; i++) (void)rng_below(r, i ? 10 : 5);
    const char *d = number + 2;
    switch (rng_below(r, 7)) {
    case 0: snprintf(out, n, "06-%s", d); break;
    case 1: snprintf(out, n, "+31 6 %.4s %.4s", d, d + 4); break;
    case 2: snprintf(out, n, "06%s", d); break;
    case 3: snprintf(out, n, "06 %.2s %.2s %.2s %.2s", d, d + 2, d + 4, d + 6); break;
    case 4: snprintf(out, n, "+316%s", d); break;
    case 5: snprintf(out, n, "06-%.4s %.4s", d, d + 4); break;
    default: snprintf(out, n, "0031 6 %s", d); break;
    }
}

/* "8" + 8-digit sequence + Luhn check digit: 10 digits, increasing with seq. */
static void make_loyalty(int64_t seq, char out[11])
{
    snprintf(out, 11, "8%08lld", (long long)(seq % 100000000));
    int sum = 0;
    for (int i = 8, dbl = 1; i >= 0; i--, dbl = !dbl) {
        int v = out[i] - '0';
        if (dbl && (v *= 2) > 9) v -= 9;
        sum += v;
    }
    out[9] = (char)('0' + (10 - sum % 10) % 10);
    out[10] = '\0';
}

/* ---- the catalogue ----------------------------------------------------- */

struct demo_ptype {
    const char *category;
    const char *name;
    int price_lo, price_hi;       /* euros */
    const char *brands;           /* '|'-separated */
    const char *variants;         /* '|'-separated colours or models */
    unsigned popularity;
};

static const struct demo_ptype ptypes[] = {
    {"dames", "Jurk", 40, 140, "Esprit|Vero Moda|Part Two|Summum|Atelier Oranje", "zwart|marine|bordeaux|groen|bloemenprint", 9},
    {"dames", "Gebreide trui", 35, 120, "Esprit|Part Two|Selected Femme|Atelier Oranje", "camel|grijs|ecru|oudroze", 8},
    {"dames", "Vest merinowol", 45, 130, "Part Two|Atelier Oranje|Gaastra", "antraciet|camel|marine", 5},
    {"dames", "Blouse", 30, 90, "Esprit|Vero Moda|Summum", "wit|lichtblauw|zwart|print", 6},
    {"dames", "Jeans slim fit", 50, 110, "Levi's|Only|Mexx", "blue denim|black denim|light wash", 7},
    {"dames", "Winterjas", 120, 300, "Gaastra|Esprit|Atelier Oranje", "zwart|camel|olijf", 3},
    {"dames", "Sjaal wol", 20, 60, "Atelier Oranje|Esprit", "grijs|bordeaux|ruit", 3},
    {"heren", "Overhemd", 40, 110, "Tommy Hilfiger|Van Gils|Atelier Oranje", "wit|lichtblauw|streep", 7},
    {"heren", "Gebreide trui", 50, 150, "Tommy Hilfiger|Gaastra|Scotch & Soda|Atelier Oranje", "marine|grijs|groen", 6},
    {"heren", "Chino", 50, 100, "Scotch & Soda|Tommy Hilfiger|Mexx", "beige|navy|olijf", 5},
    {"heren", "Colbert", 150, 350, "Van Gils|Atelier Oranje", "antraciet|navy|bruin", 2},
    {"heren", "Jeans regular", 60, 120, "Levi's|Jack & Jones", "blue denim|black denim", 6},
    {"heren", "Sokken 3-pack", 10, 20, "Björn Borg|Atelier Oranje", "zwart|mix", 5},
    {"kinderen", "Kinderjas", 35, 90, "Name it|Atelier Oranje Kids", "rood|blauw|geel", 4},
    {"kinderen", "Rompertje 2-pack", 12, 25, "Name it|Noppies", "wit|grijs|print", 4},
    {"kinderen", "Pyjama", 15, 35, "Name it|Atelier Oranje Kids", "dino|sterren|streep", 4},
    {"kinderen", "Sneakers kids", 30, 70, "Vingino|Nike", "wit|zwart|roze", 3},
    {"wonen", "Dekbedovertrek", 40, 120, "Ambiante|Essenza|Beddinghouse", "wit|grijs|oud groen", 4},
    {"wonen", "Plaid", 30, 90, "Essenza|Ambiante", "oker|grijs|ecru", 3},
    {"wonen", "Vaas", 15, 70, "Riviera Maison|Atelier Oranje Home", "glas|keramiek", 3},
    {"wonen", "Hoofdkussen", 25, 80, "Ambiante|Beddinghouse", "synthetisch|dons", 3},
    {"keuken", "Keukenweegschaal digitaal", 15, 45, "Salter|Soehnle|Brabantia", "rvs|zwart|wit", 3},
    {"keuken", "Koekenpan 28 cm", 30, 120, "Tefal|BK|Le Creuset", "inductie|gas", 4},
    {"keuken", "Koffiezetapparaat", 40, 150, "Philips|Moccamaster|Bosch", "zwart|rvs", 3},
    {"keuken", "Waterkoker", 25, 80, "Philips|Bosch|Smeg", "zwart|wit|rood", 3},
    {"keuken", "Messenset", 40, 180, "WMF|Zwilling", "3-delig|5-delig", 2},
    {"keuken", "Vershoudbakjes set", 10, 30, "Brabantia|Tupperware", "5-delig|10-delig", 3},
    {"elektra", "Steelstofzuiger", 150, 500, "Dyson|Philips|Bosch", "draadloos|met accu", 2},
    {"elektra", "Stofzuiger met zak", 90, 300, "Miele|Philips|Bosch", "EcoLine|Complete", 2},
    {"elektra", "Elektrische tandenborstel", 30, 180, "Philips|Oral-B", "wit|zwart", 3},
    {"elektra", "Föhn", 25, 120, "Philips|Remington|BaByliss", "zwart|roze", 2},
    {"elektra", "Koptelefoon", 50, 300, "Sony|JBL|Bose", "zwart|wit", 2},
    {"beauty", "Eau de parfum 50 ml", 40, 120, "Chanel|Dior|Lancôme|Hugo Boss", "dames|heren", 3},
    {"beauty", "Dagcrème", 15, 60, "Nivea|Clinique|L'Oréal", "normale huid|droge huid", 3},
    {"sport", "Hardloopschoenen", 80, 160, "Asics|Nike|Adidas", "dames|heren", 3},
    {"sport", "Sportlegging", 25, 60, "Nike|Adidas|Björn Borg", "zwart|marine", 3},
};

struct demo_product {
    int64_t id;
    int64_t price;                /* cents */
    int category;                 /* index into categories[] */
    int32_t style_first, style_n; /* the products of its style (type and brand): its colours */
    char sku[16];                 /* for the case history, which names items by SKU */
};

static const char *const categories[] = {"dames", "heren", "kinderen", "wonen", "keuken", "elektra", "beauty", "sport"};
#define NCATEGORIES ((int)COUNT(categories))

static int category_index(const char *c)
{
    for (int i = 0; i < NCATEGORIES; i++)
        if (strcmp(categories[i], c) == 0) return i;
    return 0;
}

/* The n-th '|'-separated field of list into out. */
static void field(const char *list, unsigned n, char *out, size_t size)
{
    const char *p = list;
    while (n-- && (p = strchr(p, '|')) != NULL) p++;
    if (!p) p = list;
    size_t len = strcspn(p, "|");
    snprintf(out, size, "%.*s", (int)len, p);
}

static unsigned nfields(const char *list)
{
    unsigned n = 1;
    for (; *list; list++) n += *list == '|';
    return n;
}

/* ---- time -------------------------------------------------------------- */

#define US 1000000LL
#define DAY_S 86400LL
#define HISTORY_DAYS 730

/* Civil date of a day number since 1970-01-01 (Howard Hinnant's algorithm). */
static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* The shopping calendar: for each of the last HISTORY_DAYS local days, how
 * busy it is (Saturdays and December busy, Mondays quiet) and its opening
 * hours; cdf[] lets a day be drawn in proportion to its weight. */
struct calendar {
    int64_t first_day;            /* local day number of day 0 */
    double cdf[HISTORY_DAYS];
    unsigned char open_h[HISTORY_DAYS], close_h[HISTORY_DAYS];
};

static void calendar_init(struct calendar *cal, int64_t end_us)
{
    int64_t end_s = end_us / US;
    int64_t end_day = (end_s + clock_amsterdam_offset(end_s)) / DAY_S;
    /* Whole days before the end day, so no purchase lies after end_us. */
    cal->first_day = end_day - HISTORY_DAYS;
    double sum = 0;
    for (int i = 0; i < HISTORY_DAYS; i++) {
        int64_t day = cal->first_day + i;
        int dow = (int)((day + 3) % 7);          /* 0 = Monday; 1970-01-01 was a Thursday */
        int y;
        unsigned m, d;
        civil_from_days(day, &y, &m, &d);
        static const double dow_w[7] = {0.6, 0.9, 0.9, 1.2, 1.1, 1.8, 0.7};
        double w = dow_w[dow];
        if (m == 12) w *= d >= 24 && d <= 26 ? 0.4 : 1.5;   /* December, quiet at Christmas */
        else if (m == 11) w *= 1.2;
        else if (m == 1) w *= 1.25;                        /* winter sale */
        else if (m == 7) w *= 1.1;                         /* summer sale */
        sum += w;
        cal->cdf[i] = sum;
        cal->open_h[i] = dow == 6 ? 12 : dow == 0 ? 11 : 9;
        cal->close_h[i] = dow == 6 ? 17 : dow == 3 ? 21 : 18;   /* koopavond on Thursday */
    }
}

/* A day index in [lo, HISTORY_DAYS) drawn by weight. */
static int calendar_day(const struct calendar *cal, struct rng *r, int lo)
{
    double base = lo > 0 ? cal->cdf[lo - 1] : 0;
    double x = base + rng_unit(r) * (cal->cdf[HISTORY_DAYS - 1] - base);
    int a = lo, b = HISTORY_DAYS - 1;
    while (a < b) {
        int mid = (a + b) / 2;
        if (cal->cdf[mid] < x) a = mid + 1;
        else b = mid;
    }
    return a;
}

/* A moment during opening hours of day index i, as UTC microseconds. */
static int64_t calendar_moment(const struct calendar *cal, struct rng *r, int i)
{
    unsigned open = cal->open_h[i], close = cal->close_h[i];
    int64_t local_s = (cal->first_day + i) * DAY_S + open * 3600LL + rng_below(r, (close - open) * 3600u);
    int64_t utc_s = local_s - clock_amsterdam_offset(local_s - 3600);
    return utc_s * US + rng_below(r, 1000) * 1000LL;
}

/* ---- rows ---------------------------------------------------------------- */

/* The producer thread turns customers into rows; the connection's thread
 * writes them. All formatting happens on the producer side. */

#define SEARCH_TEXT_SZ 700

struct customer_row {
    int64_t id, home_store_id, created_at, email_consent_at, phone_consent_at;
    int email_consent, phone_consent;
    const char *email_source, *phone_source;     /* static strings or NULL */
    char loyalty[11], name[240], email[EMAIL_SZ], phone[PHONE_SZ], search_text[SEARCH_TEXT_SZ];
};
struct consent_row { int64_t customer_id, at; const char *channel, *source; int given; };
struct receipt_row { int64_t id, store_id, customer_id, at; char ref[16]; };
struct line_row { int64_t receipt_id, line_no, customer_id, product_id, price, qty; };
struct term { const char *text; int64_t customer_id; };
struct facts_row { int64_t customer_id, spend, visits, first, last; };
struct day_row { int64_t customer_id, day, purchases; };

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
};

/* Makes room for one more element in a growing array. */
static int grow(void **items, size_t *cap, size_t n, size_t size)
{
    if (n < *cap) return TD_OK;
    size_t ncap = *cap ? *cap * 2 : 4096;
    void *p = realloc(*items, ncap * size);
    if (!p) return TD_E_NOMEM;
    *items = p;
    *cap = ncap;
    return TD_OK;
}

static void chunk_free(struct chunk *c)
{
    if (!c) return;
    free(c->customers);
    free(c->consents);
    free(c->receipts);
    free(c->lines);
    free(c->facts);
    free(c->days);
    free(c);
}

static struct chunk *chunk_new(void)
{
    struct chunk *c = calloc(1, sizeof *c);
    if (c && (!(c->customers = malloc(CHUNK_CUSTOMERS * sizeof *c->customers)) ||
              !(c->facts = malloc(CHUNK_CUSTOMERS * sizeof *c->facts)))) {
        free(c->customers);
        free(c);
        c = NULL;
    }
    return c;
}

static void chunk_clear(struct chunk *c) { c->ncustomers = c->nconsents = c->nreceipts = c->nlines = c->ndays = 0; }

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

/* ---- the case history's plan (see "the case history" below) ---------- */

/* A purchase a plan needs at a given moment: one line, or two (two sizes
 * of one style, product2 >= 0). */
struct planted {
    int64_t at;
    int store;                     /* index into chain[] */
    int64_t product;               /* index into g->products */
    int qty;
    int64_t product2;              /* a second line, or -1 */
    char ref[16];                  /* the receipt reference, once made */
};

/* One item of a planned case: one of our products (with the receipt's
 * reference, or "" when the customer brings no receipt), or goods not sold
 * here (product -1; brand and description from not_ours[nsh]). */
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
    uint8_t label;                 /* a walk-in's label (role_labels index) */
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
    /* Owned by the writer: */
    int64_t associate_ids[NSTORES][ASSOCIATES_PER_STORE], manager_ids[NSTORES];
};

static int take_spare(struct pipeline *p, struct chunk **out)
{
    pthread_mutex_lock(&p->mu);
    while (!p->nspare && !p->stop) pthread_cond_wait(&p->cv, &p->mu);
    int rc = p->stop ? TD_E_INTERNAL : TD_OK;
    *out = rc == TD_OK ? p->spare[--p->nspare] : NULL;
    pthread_mutex_unlock(&p->mu);
    return rc;
}

static void put_spare(struct pipeline *p, struct chunk *c)
{
    pthread_mutex_lock(&p->mu);
    chunk_clear(c);
    p->spare[p->nspare++] = c;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

static void put_ready(struct pipeline *p, struct chunk *c)
{
    pthread_mutex_lock(&p->mu);
    p->ready[(p->ready_head + p->nready++) % NCHUNKS] = c;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

/* The oldest ready chunk, or NULL once the producer is done (or stopped)
 * and nothing is left. */
static struct chunk *take_ready(struct pipeline *p)
{
    pthread_mutex_lock(&p->mu);
    while (!p->nready && !p->producer_done && !p->stop) pthread_cond_wait(&p->cv, &p->mu);
    struct chunk *c = NULL;
    if (p->nready && !p->stop) {
        c = p->ready[p->ready_head];
        p->ready_head = (p->ready_head + 1) % NCHUNKS;
        p->nready--;
        pthread_cond_broadcast(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
    return c;
}

static void pipeline_stop(struct pipeline *p)
{
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

/* ---- writing rows, 64 at a time -------------------------------------------
 *
 * One multi-row INSERT per 64 rows saves most of SQLite's per-statement work
 * (step, reset, clearing bindings). The statements are string literals built
 * by these macros, since the db layer caches statements by their address. */

#define R4(s) s ", " s ", " s ", " s
#define R16(s) R4(s) ", " R4(s) ", " R4(s) ", " R4(s)
#define R64(s) R16(s) ", " R16(s) ", " R16(s) ", " R16(s)

#define INS_CUSTOMER "INSERT INTO customers (id, loyalty_number, name, email, phone, home_store_id, email_consent," \
    " email_consent_at, email_consent_source, phone_consent, phone_consent_at, phone_consent_source, search_text," \
    " created_at, updated_at) VALUES "
#define V_CUSTOMER "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
#define INS_CONSENT "INSERT INTO consent_events (customer_id, channel, given, at, source) VALUES "
#define V_CONSENT "(?, ?, ?, ?, ?)"
#define INS_RECEIPT "INSERT INTO receipts (id, receipt_ref, store_id, customer_id, purchased_at) VALUES "
#define V_RECEIPT "(?, ?, ?, ?, ?)"
#define INS_LINE "INSERT INTO purchase_lines (receipt_id, line_no, customer_id, product_id, unit_price_cents," \
    " quantity) VALUES "
#define V_LINE "(?, ?, ?, ?, ?, ?)"
#define INS_TERM "INSERT INTO customer_search (term, customer_id) VALUES "
#define V_TERM "(?, ?)"
#define INS_KEY "INSERT INTO customer_keys (key, customer_id, shared) VALUES "

static const char SQL_CUSTOMER_1[] = INS_CUSTOMER V_CUSTOMER;
static const char SQL_CUSTOMER_16[] = INS_CUSTOMER R16(V_CUSTOMER);
static const char SQL_CONSENT_1[] = INS_CONSENT V_CONSENT;
static const char SQL_CONSENT_64[] = INS_CONSENT R64(V_CONSENT);
static const char SQL_RECEIPT_1[] = INS_RECEIPT V_RECEIPT;
static const char SQL_RECEIPT_64[] = INS_RECEIPT R64(V_RECEIPT);
static const char SQL_LINE_1[] = INS_LINE V_LINE;
static const char SQL_LINE_64[] = INS_LINE R64(V_LINE);
static const char SQL_TERM_1[] = INS_TERM V_TERM;
static const char SQL_TERM_64[] = INS_TERM R64(V_TERM);
static const char SQL_KEY_1[] = INS_KEY "(?, ?, ?)";
static const char SQL_KEY_64[] = INS_KEY R64("(?, ?, ?)");
#define INS_FACTS "INSERT INTO customer_facts (customer_id, lifetime_spend_cents, visits, first_seen_at," \
    " last_purchase_at) VALUES "
#define V_FACTS "(?, ?, ?, ?, ?)"
#define INS_DAY "INSERT INTO customer_days (customer_id, day, purchases) VALUES "
#define INS_PRICE "INSERT INTO product_price_days (product_id, day, min_cents) VALUES "
#define V_3 "(?, ?, ?)"
static const char SQL_FACTS_1[] = INS_FACTS V_FACTS;
static const char SQL_FACTS_64[] = INS_FACTS R64(V_FACTS);
static const char SQL_DAY_1[] = INS_DAY V_3;
static const char SQL_DAY_64[] = INS_DAY R64(V_3);
static const char SQL_PRICE_1[] = INS_PRICE V_3;
static const char SQL_PRICE_64[] = INS_PRICE R64(V_3);
static const char SQL_PRODUCT[] = "INSERT INTO products (id, sku, name, brand, category) VALUES (?, ?, ?, ?, ?)";
static const char SQL_STAFF[] =
    "INSERT INTO staff (login, name, role, store_id, password_hash, lang, active, created_at, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)";

/* Binds an int64, or NULL when v is 0 (ids and times are never 0 here). */
static int bind_id(struct db_stmt *st, int idx, int64_t v)
{
    return v ? db_bind_int64(st, idx, v) : db_bind_null(st, idx);
}

static int bind_str(struct db_stmt *st, int idx, const char *s) { return db_bind_text(st, idx, s && *s ? s : NULL); }

static int step_done(struct db_stmt *st)
{
    int rc = db_step(st);
    return rc == TD_DONE ? TD_OK : rc == TD_OK || rc == TD_ROW ? TD_E_INTERNAL : rc;
}

static int bind_customer(struct db_stmt *st, int i, const void *row)
{
    const struct customer_row *c = row;
    int rc;
    if ((rc = db_bind_int64(st, i, c->id)) != TD_OK) return rc;
    if ((rc = bind_str(st, i + 1, c->loyalty)) != TD_OK) return rc;
    if ((rc = db_bind_text(st, i + 2, c->name)) != TD_OK) return rc;
    if ((rc = bind_str(st, i + 3, c->email)) != TD_OK) return rc;
    if ((rc = bind_str(st, i + 4, c->phone)) != TD_OK) return rc;
    if ((rc = bind_id(st, i + 5, c->home_store_id)) != TD_OK) return rc;
    if ((rc = db_bind_int64(st, i + 6, c->email_consent)) != TD_OK) return rc;
    if ((rc = bind_id(st, i + 7, c->email_consent_at)) != TD_OK) return rc;
    if ((rc = db_bind_text(st, i + 8, c->email_source)) != TD_OK) return rc;
    if ((rc = db_bind_int64(st, i + 9, c->phone_consent)) != TD_OK) return rc;
    if ((rc = bind_id(st, i + 10, c->phone_consent_at)) != TD_OK) return rc;
    if ((rc = db_bind_text(st, i + 11, c->phone_source)) != TD_OK) return rc;
    if ((rc = bind_str(st, i + 12, c->search_text)) != TD_OK) return rc;
    if ((rc = db_bind_int64(st, i + 13, c->created_at)) != TD_OK) return rc;
    return db_bind_int64(st, i + 14, c->created_at);
}

static int bind_consent(struct db_stmt *st, int i, const void *row)
{
    const struct consent_row *c = row;
    int rc;
    if ((rc = db_bind_int64(st, i, c->customer_id)) != TD_OK) return rc;
    if ((rc = db_bind_text(st, i + 1, c->channel)) != TD_OK) return rc;
    if ((rc = db_bind_int64(st, i + 2, c->given)) != TD_OK) return rc;
    if ((rc = db_bind_int64(st, i + 3, c->at)) != TD_OK) return rc;
    return db_bind_text(st, i + 4, c->source);
}

static int bind_receipt(struct db_stmt *st, int i, const void *row)
{
    const struct receipt_row *r = row;
    int rc;
    if ((rc = db_bind_int64(st, i, r->id)) != TD_OK) return rc;
    if ((rc = db_bind_text(st, i + 1, r->ref)) != TD_OK) return rc;
    if ((rc = db_bind_int64(st, i + 2, r->store_id)) != TD_OK) return rc;
    if ((rc = bind_id(st, i + 3, r->customer_id)) != TD_OK) return rc;
    return db_bind_int64(st, i + 4, r->at);
}

static int bind_line(struct db_stmt *st, int i, const void *row)
{
    const struct line_row *l = row;
    int rc;
    if ((rc = db_bind_int64(st, i, l->receipt_id)) != TD_OK) return rc;
    if ((rc = db_bind_int64(st, i + 1, l->line_no)) != TD_OK) return rc;
    if ((rc = bind_id(st, i + 2, l->customer_id)) != TD_OK) return rc;
    if ((rc = db_bind_int64(st, i + 3, l->product_id)) != TD_OK) return rc;
    if ((rc = db_bind_int64(st, i + 4, l->price)) != TD_OK) return rc;
    return db_bind_int64(st, i + 5, l->qty);
}

static int bind_term(struct db_stmt *st, int i, const void *row)
{
    const struct term *t = row;
    int rc = db_bind_text(st, i, t->text);
    return rc == TD_OK ? db_bind_int64(st, i + 1, t->customer_id) : rc;
}

static int bind_key(struct db_stmt *st, int i, const void *row)
{
    const struct key_row *k = row;
    int rc = db_bind_text(st, i, k->key);
    if (rc == TD_OK) rc = db_bind_int64(st, i + 1, k->customer_id);
    return rc == TD_OK ? db_bind_int64(st, i + 2, k->shared) : rc;
}

static int bind_facts(struct db_stmt *st, int i, const void *row)
{
    const struct facts_row *f = row;
    const int64_t v[5] = {f->customer_id, f->spend, f->visits, f->first, f->last};
    int rc = TD_OK;
    for (int k = 0; k < 5 && rc == TD_OK; k++) rc = db_bind_int64(st, i + k, v[k]);
    return rc;
}

static int bind_day(struct db_stmt *st, int i, const void *row)
{
    const struct day_row *d = row;
    int rc = db_bind_int64(st, i, d->customer_id);
    if (rc == TD_OK) rc = db_bind_int64(st, i + 1, d->day);
    return rc == TD_OK ? db_bind_int64(st, i + 2, d->purchases) : rc;
}

struct table {
    const char *one, *many;         /* one-row and `per`-row INSERT */
    int per, ncols;
    size_t row_size;
    int (*bind)(struct db_stmt *st, int first_param, const void *row);
};

static const struct table T_CUSTOMERS = {SQL_CUSTOMER_1, SQL_CUSTOMER_16, 16, 15, sizeof(struct customer_row), bind_customer};
static const struct table T_CONSENTS = {SQL_CONSENT_1, SQL_CONSENT_64, 64, 5, sizeof(struct consent_row), bind_consent};
static const struct table T_RECEIPTS = {SQL_RECEIPT_1, SQL_RECEIPT_64, 64, 5, sizeof(struct receipt_row), bind_receipt};
static const struct table T_LINES = {SQL_LINE_1, SQL_LINE_64, 64, 6, sizeof(struct line_row), bind_line};
static const struct table T_TERMS = {SQL_TERM_1, SQL_TERM_64, 64, 2, sizeof(struct term), bind_term};
static const struct table T_KEYS = {SQL_KEY_1, SQL_KEY_64, 64, 3, sizeof(struct key_row), bind_key};
static const struct table T_FACTS = {SQL_FACTS_1, SQL_FACTS_64, 64, 5, sizeof(struct facts_row), bind_facts};
static const struct table T_DAYS = {SQL_DAY_1, SQL_DAY_64, 64, 3, sizeof(struct day_row), bind_day};
static const struct table T_PRICES = {SQL_PRICE_1, SQL_PRICE_64, 64, 3, sizeof(struct day_row), bind_day};

/* Inserts n rows: full groups of t->per through the multi-row statement,
 * the rest one by one. */
static int write_rows(struct db *db, const struct table *t, const void *rows, size_t n)
{
    int rc = TD_OK;
    const char *p = rows;
    for (size_t i = 0; i < n && rc == TD_OK;) {
        int k = n - i >= (size_t)t->per ? t->per : 1;
        struct db_stmt *st = NULL;
        if ((rc = db_prepare(db, k > 1 ? t->many : t->one, &st)) != TD_OK) break;
        for (int j = 0; j < k && rc == TD_OK; j++, i++) rc = t->bind(st, j * t->ncols + 1, p + i * t->row_size);
        if (rc == TD_OK) rc = step_done(st);
        db_done(st);
    }
    return rc;
}

static int write_chunk(struct gen *g, const struct chunk *c)
{
    int rc = write_rows(g->db, &T_CUSTOMERS, c->customers, c->ncustomers);
    if (rc == TD_OK) rc = write_rows(g->db, &T_CONSENTS, c->consents, c->nconsents);
    if (rc == TD_OK) rc = write_rows(g->db, &T_RECEIPTS, c->receipts, c->nreceipts);
    if (rc == TD_OK) rc = write_rows(g->db, &T_LINES, c->lines, c->nlines);
    if (rc == TD_OK) rc = write_rows(g->db, &T_FACTS, c->facts, c->ncustomers);
    if (rc == TD_OK) rc = write_rows(g->db, &T_DAYS, c->days, c->ndays);
    return rc;
}

/* Inserts the sorted terms, so the (term, customer_id) primary key of
 * customer_search grows at its end instead of at random places. Its other
 * index, by customer_id, would then be fed at random: it is dropped for the
 * load and built again afterwards (one sort; 3x faster in a measurement). */
static int write_terms(struct gen *g)
{
    struct db_index_set *deferred = NULL;
    int rc = db_index_drop(g->db, "customer_search", &deferred);
    const size_t step = 64 * 1024;
    for (size_t i = 0; i < g->nterms && rc == TD_OK; i += step) {
        size_t n = g->nterms - i < step ? g->nterms - i : step;
        rc = write_rows(g->db, &T_TERMS, g->term_list + i, n);
        if (g->cfg->progress)
            g->cfg->progress(g->cfg->progress_arg, "search terms", (long long)(i + n), (long long)g->nterms);
    }
    if (rc == TD_OK) {
        rc = db_index_restore(g->db, deferred);   /* frees the set */
        deferred = NULL;
    }
    db_index_free(deferred);
    return rc;
}

/* The identity keys, sorted like the terms and loaded the same way: the
 * (key, customer_id) primary key grows at its end, the by-customer index is
 * built afterwards. */
static int write_keys(struct gen *g)
{
    struct db_index_set *deferred = NULL;
    int rc = db_index_drop(g->db, "customer_keys", &deferred);
    if (rc == TD_OK) rc = write_rows(g->db, &T_KEYS, g->key_list, g->nkeys);
    if (rc == TD_OK) {
        rc = db_index_restore(g->db, deferred);
        deferred = NULL;
    }
    db_index_free(deferred);
    return rc;
}

static int pick_store(const struct gen *g, struct rng *r)
{
    unsigned x = rng_below(r, g->store_weight_total);
    for (int i = 0; i < NSTORES; i++) {
        if (x < chain[i].weight) return i;
        x -= chain[i].weight;
    }
    return 0;
}

/* ---- stores, staff, catalogue (written directly, before the pipeline) ---- */

static int load_stores(struct gen *g)
{
    int rc = TD_OK;
    struct dctx c = { .db = g->db, .now_us = g->cfg->end_us, .addr = "cli" };
    for (int i = 0; i < NSTORES && rc == TD_OK; i++) {
        struct store s;
        struct errors err;
        errors_init(&err);
        memset(&s, 0, sizeof s);
        snprintf(s.code, sizeof s.code, "%s", chain[i].code);
        snprintf(s.name, sizeof s.name, "%s", chain[i].name);
        snprintf(s.city, sizeof s.city, "%s", chain[i].city);
        rc = store_create(&c, &s, &err, &g->store_ids[i]);
        g->store_weight_total += chain[i].weight;
    }
    g->sum->stores = NSTORES;
    return rc;
}

static int insert_staff(struct gen *g, const char *login, const char *name, const char *role, int64_t store_id,
                        const char *lang, int64_t at)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(g->db, SQL_STAFF, &st);
    if (rc != TD_OK) return rc;
    if ((rc = db_bind_text(st, 1, login)) != TD_OK) goto out;
    if ((rc = db_bind_text(st, 2, name)) != TD_OK) goto out;
    if ((rc = db_bind_text(st, 3, role)) != TD_OK) goto out;
    if ((rc = bind_id(st, 4, store_id)) != TD_OK) goto out;
    if ((rc = db_bind_text(st, 5, g->cfg->password_hash)) != TD_OK) goto out;
    if ((rc = db_bind_text(st, 6, lang)) != TD_OK) goto out;
    if ((rc = db_bind_int64(st, 7, at)) != TD_OK) goto out;
    if ((rc = db_bind_int64(st, 8, at)) != TD_OK) goto out;
    rc = step_done(st);
out:
    db_done(st);
    if (rc == TD_OK) g->sum->staff++;
    return rc;
}

/* One admin; per store a manager ("manager.<city>") and associates, the
 * first "associate.<city>", the others "<first name>.<city>". All share the
 * one demo password hash (demo data only; see demo.h). */
static int load_staff(struct gen *g)
{
    struct rng r;
    rng_stream(&r, g->cfg->seed, STREAM_STAFF, 0);
    int64_t at = g->cfg->end_us - 400 * DAY_S * US;
    int rc = insert_staff(g, DEMO_LOGIN_ADMIN, "Demo Beheerder", "admin", 0, "nl", at);
    char first[64], last[128], name[200], login[LOGIN_SZ], used[ASSOCIATES_PER_STORE][64];
    for (int s = 0; s < NSTORES && rc == TD_OK; s++) {
        make_name(&r, first, sizeof first, last, sizeof last);
        snprintf(name, sizeof name, "%s %s", first, last);
        snprintf(login, sizeof login, "manager.%s", chain[s].slug);
        rc = insert_staff(g, login, name, "manager", g->store_ids[s], "nl", at);
        for (int a = 0; a < ASSOCIATES_PER_STORE && rc == TD_OK; a++) {
            char slug[64];
            int unique;
            do {   /* first names differ within a store, so logins do */
                make_name(&r, first, sizeof first, last, sizeof last);
                ascii_compact(first, slug, sizeof slug);
                unique = slug[0] != '\0';
                for (int k = 0; k < a && unique; k++) unique = strcmp(used[k], slug) != 0;
            } while (!unique);
            snprintf(used[a], sizeof used[a], "%s", slug);
            snprintf(name, sizeof name, "%s %s", first, last);
            if (a == 0) snprintf(login, sizeof login, "associate.%s", chain[s].slug);
            else snprintf(login, sizeof login, "%s.%s", slug, chain[s].slug);
            rc = insert_staff(g, login, name, "associate", g->store_ids[s], a == 3 ? "en" : "nl", at);
        }
    }
    return rc;
}

/* The catalogue: per product type, brand and variant one SKU with a list
 * price in the type's range ending in ,95 or ,99 (whole euros above 100). */
static int load_products(struct gen *g)
{
    struct rng r;
    rng_stream(&r, g->cfg->seed, STREAM_CATALOGUE, 0);
    size_t cap = 0, slots = 0;
    for (size_t t = 0; t < COUNT(ptypes); t++) {
        size_t k = nfields(ptypes[t].brands) * nfields(ptypes[t].variants);
        cap += k;
        slots += k * ptypes[t].popularity;
    }
    g->products = calloc(cap, sizeof *g->products);
    if (!g->products) return TD_E_NOMEM;
    for (int c = 0; c < NCATEGORIES; c++)
        if (!(g->by_category[c] = calloc(slots, sizeof(int64_t)))) return TD_E_NOMEM;
    int rc = TD_OK;
    unsigned seq[NCATEGORIES] = {0};
    for (size_t t = 0; t < COUNT(ptypes) && rc == TD_OK; t++) {
        const struct demo_ptype *p = &ptypes[t];
        int cat = category_index(p->category);
        for (unsigned b = 0; b < nfields(p->brands) && rc == TD_OK; b++) {
            for (unsigned v = 0; v < nfields(p->variants) && rc == TD_OK; v++) {
                char brand[64], variant[64], sku[16], name[200], prefix[4];
                field(p->brands, b, brand, sizeof brand);
                field(p->variants, v, variant, sizeof variant);
                for (int k = 0; k < 3; k++) prefix[k] = (char)(p->category[k] - 'a' + 'A');
                prefix[3] = '\0';
                snprintf(sku, sizeof sku, "%s-%05u", prefix, (10000 + ++seq[cat] * 7) % 100000);
                snprintf(name, sizeof name, "%s %s, %s", p->name, brand, variant);
                int64_t euros = p->price_lo + rng_below(&r, (uint32_t)(p->price_hi - p->price_lo + 1));
                int64_t cents = euros >= 100 ? euros * 100 : euros * 100 - (rng_pct(&r, 50) ? 5 : 1);
                struct demo_product *dp = &g->products[g->nproducts];
                dp->id = g->nproducts + 1;
                dp->price = cents;
                dp->category = cat;
                dp->style_first = (int32_t)(g->nproducts - v);
                dp->style_n = (int32_t)nfields(p->variants);
                snprintf(dp->sku, sizeof dp->sku, "%s", sku);
                for (unsigned k = 0; k < p->popularity; k++) g->by_category[cat][g->ncat[cat]++] = g->nproducts;
                g->nproducts++;
                struct db_stmt *st = NULL;
                if ((rc = db_prepare(g->db, SQL_PRODUCT, &st)) != TD_OK) break;
                if ((rc = db_bind_int64(st, 1, dp->id)) == TD_OK && (rc = db_bind_text(st, 2, sku)) == TD_OK &&
                    (rc = db_bind_text(st, 3, name)) == TD_OK && (rc = db_bind_text(st, 4, brand)) == TD_OK &&
                    (rc = db_bind_text(st, 5, p->category)) == TD_OK)
                    rc = step_done(st);
                db_done(st);
            }
        }
    }
    g->sum->products = g->nproducts;
    return rc;
}

/* ---- producing customers and receipts (producer thread) ------------------ */

/* Counts one purchase line into the chain-wide aggregates exactly as
 * facts_add_receipts() would: purchases per category and UTC day from
 * cat_day0 on, and the lowest unit price per product and UTC day from
 * price_day0 on. */
static void count_line(struct gen *g, int64_t product_index, int64_t price, int64_t qty, int64_t at)
{
    int64_t cd = at / (DAY_S * US) - g->cat_day0;
    if (cd >= 0 && cd < g->ncat_days) g->cat_days[g->products[product_index].category * g->ncat_days + cd] += qty;
    int64_t d = at / (DAY_S * US) - g->price_day0;
    if (d < 0 || d >= g->nprice_days) return;
    int64_t *m = &g->price_min[product_index * g->nprice_days + d];
    if (*m == 0 || price < *m) *m = price;
}

/* One receipt with nlines lines for customer_id (0: anonymous). fav are the
 * customer's two favourite categories (-1: none). */
static int make_receipt(struct gen *g, struct chunk *c, struct rng *r, int64_t customer_id, int store, int64_t at,
                        int nlines, const int fav[2])
{
    if (grow((void **)&c->receipts, &c->receipts_cap, c->nreceipts, sizeof *c->receipts) != TD_OK) return TD_E_NOMEM;
    struct receipt_row *rr = &c->receipts[c->nreceipts++];
    rr->id = g->next_receipt_id++;
    rr->store_id = g->store_ids[store];
    rr->customer_id = customer_id;
    rr->at = at;
    snprintf(rr->ref, sizeof rr->ref, "B%010lld", (long long)rr->id);
    /* January and July are sale months: more lines at a discount. */
    int y;
    unsigned m, d;
    int64_t at_s = at / US;
    civil_from_days((at_s + clock_amsterdam_offset(at_s)) / DAY_S, &y, &m, &d);
    unsigned sale_pct = (m == 1 || m == 7) ? 45 : 10;
    for (int line = 1; line <= nlines; line++) {
        int cat = fav[0] >= 0 && rng_pct(r, 60) ? fav[rng_below(r, 2)] : (int)rng_below(r, NCATEGORIES);
        const struct demo_product *p = &g->products[g->by_category[cat][rng_below(r, (uint32_t)g->ncat[cat])]];
        int64_t price = p->price;
        if (rng_pct(r, sale_pct)) {
            static const int off[] = {20, 25, 30, 50};
            price = price * (100 - PICK(r, off)) / 100 / 5 * 5;
        }
        if (grow((void **)&c->lines, &c->lines_cap, c->nlines, sizeof *c->lines) != TD_OK) return TD_E_NOMEM;
        c->lines[c->nlines++] = (struct line_row){
            .receipt_id = rr->id, .line_no = line, .customer_id = customer_id, .product_id = p->id,
            .price = price, .qty = p->price < 3000 && rng_pct(r, 15) ? 2 + rng_below(r, 2) : 1,
        };
        count_line(g, p->id - 1, price, c->lines[c->nlines - 1].qty, at);
        g->sum->lines++;
    }
    g->sum->receipts++;
    if (!customer_id) g->sum->anonymous_receipts++;
    return TD_OK;
}

/* Lines on one receipt: 1 to 4, mostly 1 or 2. */
static int receipt_size(struct rng *r)
{
    static const int sizes[] = {1, 1, 1, 1, 2, 2, 2, 3, 3, 4};
    return PICK(r, sizes);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* One receipt of a purchase the case history planted (see plan_abuser):
 * one line of the product at its list price; its reference goes back into
 * pl->ref so the planned cases can name it. */
static int make_planted(struct gen *g, struct chunk *c, int64_t customer_id, struct planted *pl)
{
    if (grow((void **)&c->receipts, &c->receipts_cap, c->nreceipts, sizeof *c->receipts) != TD_OK) return TD_E_NOMEM;
    struct receipt_row *rr = &c->receipts[c->nreceipts++];
    rr->id = g->next_receipt_id++;
    rr->store_id = g->store_ids[pl->store];
    rr->customer_id = customer_id;
    rr->at = pl->at;
    snprintf(rr->ref, sizeof rr->ref, "B%010lld", (long long)rr->id);
    snprintf(pl->ref, sizeof pl->ref, "%s", rr->ref);
    for (int line = 1; line <= (pl->product2 >= 0 ? 2 : 1); line++) {
        int64_t product = line == 1 ? pl->product : pl->product2;
        const struct demo_product *p = &g->products[product];
        if (grow((void **)&c->lines, &c->lines_cap, c->nlines, sizeof *c->lines) != TD_OK) return TD_E_NOMEM;
        c->lines[c->nlines++] = (struct line_row){
            .receipt_id = rr->id, .line_no = line, .customer_id = customer_id, .product_id = p->id, .price = p->price,
            .qty = pl->qty,
        };
        count_line(g, product, p->price, pl->qty, pl->at);
        g->sum->lines++;
    }
    g->sum->receipts++;
    return TD_OK;
}

#define MAX_RECEIPTS 120

/* The receipts of customer id, in time order (invariant (4)), with the
 * planted purchases pl[0..npl) (in time order) merged in. The planted ones
 * draw nothing from r, so a customer's other receipts do not depend on them. */
static int make_purchases(struct gen *g, struct chunk *c, struct rng *r, int64_t id, int64_t created_at, int home,
                          struct planted *pl, int npl)
{
    /* Lines per customer: exponential with mean 9, so most customers have a
     * few and some regulars have many. */
    int want = 1 + (int)(-log(1.0 - rng_unit(r)) * 8.0);
    int sizes[MAX_RECEIPTS];
    int64_t times[MAX_RECEIPTS];
    int n = 0;
    for (int have = 0; have < want && n < MAX_RECEIPTS; have += sizes[n++]) sizes[n] = receipt_size(r);
    /* Only days after the customer signed up. */
    int64_t window_start = (g->cal.first_day * DAY_S - 7200) * US;
    int lo = created_at > window_start ? (int)((created_at - window_start) / (DAY_S * US)) + 1 : 0;
    if (lo >= HISTORY_DAYS) lo = HISTORY_DAYS - 1;
    for (int i = 0; i < n; i++) times[i] = calendar_moment(&g->cal, r, calendar_day(&g->cal, r, lo));
    qsort(times, (size_t)n, sizeof times[0], cmp_i64);
    int fav[2] = {(int)rng_below(r, NCATEGORIES), (int)rng_below(r, NCATEGORIES)};
    int rc = TD_OK, k = 0;
    for (int i = 0; i < n && rc == TD_OK; i++) {
        while (rc == TD_OK && k < npl && pl[k].at < times[i]) rc = make_planted(g, c, id, &pl[k++]);
        int store = rng_pct(r, 80) ? home : pick_store(g, r);
        if (rc == TD_OK) rc = make_receipt(g, c, r, id, store, times[i], sizes[i], fav);
    }
    while (rc == TD_OK && k < npl) rc = make_planted(g, c, id, &pl[k++]);
    return rc;
}

/* Anonymous receipts for slot i of N: their days advance with i, so they
 * are written in (roughly) time order, which keeps the (customer_id,
 * purchased_at) index appending within its NULL section. */
static int make_anonymous(struct gen *g, struct chunk *c, int64_t slot, int64_t nslots)
{
    struct rng r;
    rng_stream(&r, g->cfg->seed, STREAM_ANON, (uint64_t)slot);
    int day = (int)(slot * HISTORY_DAYS / nslots);
    static const int none[2] = {-1, -1};
    return make_receipt(g, c, &r, 0, pick_store(g, &r), calendar_moment(&g->cal, &r, day), 1 + rng_pct(&r, 40), none);
}

/* ---- the case history: planning (producer thread) ------------------------
 *
 * Over the last CASE_DAYS days the desk saw returns and other cases. Each
 * customer draws from a stream of their own (STREAM_CASES, index), apart
 * from the stream that made their name and purchases, so planting cases
 * changes nobody's purchases except the abusers' planted buys.
 *
 *   honest returners  HONEST_PERMILLE of customers, 1 or 2 cases each, mostly
 *                     returns of their own recent purchases with the receipt,
 *                     some without it (cheap things, gifts), now and then a
 *                     worn item, goods not sold here (gold and platinum
 *                     customers: the worn dress), a repair or a complaint;
 *   honest kinds      labelled "honest_*" in demo_labels, a few per mille each:
 *     honest_gift        a giver buys presents on their card, the next customer
 *                        brings one (or both) back with the gift receipt weeks
 *                        later; now and then the giver returns a present too;
 *     honest_card        never keeps receipts: brings their own recent
 *                        purchases back a few times, found through the card;
 *     honest_family      buys children's clothes in two sizes every week or
 *                        two and brings one size back within days, with the
 *                        receipt or the card;
 *     honest_big_ticket  returns one expensive purchase with its receipt;
 *     honest_walk_in     has no card, returns something without a receipt
 *                        once or twice, and gives a phone number or e-mail
 *                        address when asked (nine in ten);
 *   abusers           ABUSER_PERMILLE of customers with a long enough history,
 *                     labelled in demo_labels, who also buy as anyone does and
 *                     spread their cases over weeks:
 *     serial_no_receipt  bursts of returns without a receipt at two to four
 *                        stores, a few days apart;
 *     wardrober          buys clothes, wears them, brings them back within
 *                        two to ten days, every few weeks;
 *     cross_store        buys several of one product and returns that product
 *                        at one store after another;
 *     receipted_wardrober buys a dress or suit before a weekend, often the
 *                        style of the last one, and brings it back "as new"
 *                        with the receipt a few days later, again and again;
 *     receipt_reuse      returns a purchase once, then brings the same
 *                        receipt (or the card) back for the same item at other
 *                        stores;
 *     ring               one person with three accounts (the next two
 *                        customers) that share a phone number and a mailbox
 *                        written differently, each bringing a return or two
 *                        without a receipt at different stores;
 *     walk_in_repeater   no card: returns without a receipt at two to four
 *                        stores, days apart; when asked for a contact most give
 *                        their phone number, some their e-mail address one
 *                        time and the phone the next, a few refuse.
 *
 * People are described here by what they do, never by what the guard looks
 * at: nothing in the plan reads the policy or the guard.
 *
 * The plan only says what happens when; the writer replays it through the
 * desk (run_history) in time order, so every stored recommendation is what
 * the desk would have said at that moment. */

#define CASE_DAYS 182                 /* the case history covers the last half year */
#define CASE_FIRST_DAY (HISTORY_DAYS - CASE_DAYS)
#define HONEST_PERMILLE 65
#define ABUSER_PERMILLE 10
#define HONEST_KINDS_PERMILLE 8           /* gift 2, card 2, family 1.5, big ticket 1, walk-in 1.5 */
#define PERSON_PLANTED 16
#define PERSON_CASES 16

enum { STREAM_CASES = 5 };
enum { ROLE_NONE, ROLE_HONEST, ROLE_SERIAL, ROLE_WARDROBER, ROLE_CROSS, ROLE_RECEIPTED_WARDROBER, ROLE_RECEIPT_REUSE,
       ROLE_RING, ROLE_WALK_IN_REPEATER, ROLE_GIFT, ROLE_CARD, ROLE_FAMILY, ROLE_BIG_TICKET, ROLE_WALK_IN,
       ROLE_RING_MEMBER, ROLE_GIFT_RECEIVER, ROLE_COUNT };

static const char *const role_labels[ROLE_COUNT] = {
    [ROLE_SERIAL] = "serial_no_receipt", [ROLE_WARDROBER] = "wardrober", [ROLE_CROSS] = "cross_store",
    [ROLE_RECEIPTED_WARDROBER] = "receipted_wardrober", [ROLE_RECEIPT_REUSE] = "receipt_reuse", [ROLE_RING] = "ring",
    [ROLE_WALK_IN_REPEATER] = "walk_in_repeater", [ROLE_GIFT] = "honest_gift", [ROLE_CARD] = "honest_card",
    [ROLE_FAMILY] = "honest_family", [ROLE_BIG_TICKET] = "honest_big_ticket", [ROLE_WALK_IN] = "honest_walk_in",
    [ROLE_RING_MEMBER] = "ring", [ROLE_GIFT_RECEIVER] = "honest_gift",
};


/* Goods not sold here: the first ones are brought back for credit, the last
 * ones come in defective for repair (brands the chain does not carry). */
static const struct { const char *brand, *description; } not_ours[] = {
    {"Mango", "Gouden jurk"}, {"Zara", "Blazer"}, {"COS", "Wollen jas"}, {"Massimo Dutti", "Zijden blouse"},
    {"Hunkemöller", "Badjas"}, {"Vorwerk", "Stofzuiger Kobold"}, {"Nespresso", "Koffiemachine"},
};
#define NOT_OURS_GOODS 5

static const char *const case_words[] = {
    "Past niet goed.", "Toch niet de goede kleur.", "Dubbel gekregen.", "Kassabon kwijt, wel met klantenpas gekocht.",
    "Gekregen als cadeau, maar ik heb het al.", "Werkt niet meer.", "Niet bij jullie gekocht, maar ik hoop dat het kan.",
    "Niet tevreden over de kwaliteit.", "Een keer gedragen, valt toch anders.", "",
};

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
};

/* The day index (into the calendar) of a UTC moment. */
static int day_index(const struct gen *g, int64_t at)
{
    int64_t s = at / US;
    return (int)((s + clock_amsterdam_offset(s)) / DAY_S - g->cal.first_day);
}

/* A product of the given category (-1: any) preferring list prices in
 * [lo, hi] cents: a few draws, then whatever came last. */
static int64_t pick_product(const struct gen *g, struct rng *r, int cat, int64_t lo, int64_t hi)
{
    int64_t p = 0;
    for (int tries = 0; tries < 6; tries++) {
        int k = cat >= 0 ? cat : (int)rng_below(r, NCATEGORIES);
        p = g->by_category[k][rng_below(r, (uint32_t)g->ncat[k])];
        if (g->products[p].price >= lo && g->products[p].price <= hi) break;
    }
    return p;
}

static int pick_other_store(const struct gen *g, struct rng *r, const int *used, int nused)
{
    int s = 0;
    for (int tries = 0; tries < 30; tries++) {
        s = pick_store(g, r);
        int fresh = 1;
        for (int k = 0; k < nused; k++) fresh &= used[k] != s;
        if (fresh) break;
    }
    return s;
}

static struct plan_case *person_case(struct person *pp, int day, struct gen *g, struct rng *r, int store, int kind)
{
    if (pp->ncases >= PERSON_CASES || day < CASE_FIRST_DAY || day >= HISTORY_DAYS) return NULL;
    struct plan_case *pc = &pp->cases[pp->ncases];
    memset(pc, 0, sizeof *pc);
    pp->pl_of[pp->ncases++] = -1;
    pc->at = calendar_moment(&g->cal, r, day);
    pc->customer_id = pp->id;
    pc->store = store;
    pc->kind = (uint8_t)kind;
    pc->n_items = 1;
    pc->items[0].product = -1;
    return pc;
}

static struct planted *person_buy(struct person *pp, struct gen *g, struct rng *r, int day, int store, int64_t product,
                                  int qty)
{
    if (pp->npl >= PERSON_PLANTED || day >= HISTORY_DAYS) return NULL;
    struct planted *pl = &pp->pl[pp->npl++];
    memset(pl, 0, sizeof *pl);
    pl->at = calendar_moment(&g->cal, r, day);
    pl->store = store;
    pl->product = product;
    pl->product2 = -1;
    pl->qty = qty;
    return pl;
}

/* Bursts of returns without a receipt at a few stores, days apart. */
static void plan_serial(struct gen *g, struct rng *r, struct person *pp)
{
    int day = CASE_FIRST_DAY + (int)rng_below(r, CASE_DAYS - 40);
    int bursts = rng_pct(r, 35) ? 2 : 1;
    int careful = rng_pct(r, 25);             /* spaces them out: one every one to three weeks */
    for (int b = 0; b < bursts; b++) {
        int stores[4] = {pp->home}, nstores = 2 + (int)rng_below(r, 3);
        for (int k = 1; k < nstores; k++) stores[k] = pick_other_store(g, r, stores, k);
        int n = b == 0 ? 4 + (int)rng_below(r, 4) : 2 + (int)rng_below(r, 3);
        for (int j = 0; j < n; j++) {
            if (j) day += careful ? 7 + (int)rng_below(r, 15) : 2 + (int)rng_below(r, 13);
            struct plan_case *pc = person_case(pp, day, g, r, stores[rng_below(r, (uint32_t)nstores)],
                                               rng_pct(r, 90) ? POLICY_KIND_RETURN : POLICY_KIND_EXCHANGE);
            if (!pc) return;
            pc->n_items = rng_pct(r, 20) ? 2 : 1;
            pc->words = (uint8_t)(rng_pct(r, 50) ? 3 : 4);
            for (int i = 0; i < pc->n_items; i++) {
                pc->items[i].product = (int32_t)pick_product(g, r, -1, 1000, 9000);
                pc->items[i].condition = POLICY_COND_NEW;
            }
        }
        day += 20 + (int)rng_below(r, 40);
    }
}

/* Clothes bought, worn and brought back within days, every few weeks. */
static void plan_wardrober(struct gen *g, struct rng *r, struct person *pp)
{
    int day = CASE_FIRST_DAY + (int)rng_below(r, 50);
    int episodes = 4 + (int)rng_below(r, 4);
    for (int e = 0; e < episodes && day + 10 < HISTORY_DAYS; e++) {
        int buy_store = rng_pct(r, 60) ? pp->home : pick_store(g, r);
        int cat = rng_pct(r, 75) ? category_index("dames") : category_index("heren");
        struct planted *pl = person_buy(pp, g, r, day, buy_store, pick_product(g, r, cat, 4500, 30000), 1);
        if (!pl) return;
        int back = day + 2 + (int)rng_below(r, 9);
        struct plan_case *pc = person_case(pp, back, g, r, rng_pct(r, 60) ? buy_store : pick_store(g, r),
                                           POLICY_KIND_RETURN);
        if (!pc) return;
        pp->pl_of[pp->ncases - 1] = (int8_t)(pp->npl - 1);
        pc->receipt = rng_pct(r, 80);
        pc->words = (uint8_t)(rng_pct(r, 50) ? 0 : 8);
        pc->items[0].product = (int32_t)pl->product;
        pc->items[0].condition = POLICY_COND_WORN;
        day += 12 + (int)rng_below(r, 29);
    }
}

/* Several of one product bought at one store, returned at one store after
 * another (the first return often with the receipt). */
static void plan_cross(struct gen *g, struct rng *r, struct person *pp)
{
    int day = CASE_FIRST_DAY + (int)rng_below(r, 60);
    int targets = rng_pct(r, 70) ? 1 : 2;
    for (int t = 0; t < targets; t++) {
        int stores[6] = {rng_pct(r, 70) ? pp->home : pick_store(g, r)};
        int64_t product = pick_product(g, r, -1, 2000, 15000);
        struct planted *pl = person_buy(pp, g, r, day, stores[0], product, 2 + (int)rng_below(r, 3));
        if (!pl) return;
        int nret = 3 + (int)rng_below(r, 3), rday = day + 1 + (int)rng_below(r, 10);
        for (int j = 0; j < nret && j < 6; j++) {
            if (j) stores[j] = pick_other_store(g, r, stores, j);
            struct plan_case *pc = person_case(pp, rday, g, r, stores[j], POLICY_KIND_RETURN);
            if (!pc) return;
            pp->pl_of[pp->ncases - 1] = (int8_t)(pp->npl - 1);
            pc->receipt = j == 0 ? rng_pct(r, 70) : rng_pct(r, 15);
            pc->words = (uint8_t)(j == 0 ? 0 : 1);
            pc->items[0].product = (int32_t)product;
            pc->items[0].condition = POLICY_COND_NEW;
            rday += 3 + (int)rng_below(r, 12);
        }
        day = rday + 10 + (int)rng_below(r, 30);
    }
}

/* Another colour of the same style (type and brand) as product p. */
static int64_t same_style(const struct gen *g, struct rng *r, int64_t p)
{
    const struct demo_product *d = &g->products[p];
    if (d->style_n <= 1) return p;
    int64_t q = d->style_first + (int64_t)rng_below(r, (uint32_t)d->style_n - 1);
    return q >= p ? q + 1 : q;
}

/* A dress or suit before a weekend, "as new" back a few days later with the
 * receipt; often the style of the last one, in another colour. */
static void plan_receipted_wardrober(struct gen *g, struct rng *r, struct person *pp)
{
    int day = CASE_FIRST_DAY + (int)rng_below(r, 40);
    int episodes = 4 + (int)rng_below(r, 4);
    int64_t last = -1;
    for (int e = 0; e < episodes && day + 6 < HISTORY_DAYS; e++) {
        int cat = rng_pct(r, 70) ? category_index("dames") : category_index("heren");
        int64_t product = last >= 0 && rng_pct(r, 55) ? same_style(g, r, last) : pick_product(g, r, cat, 4000, 25000);
        last = product;
        int buy_store = rng_pct(r, 60) ? pp->home : pick_store(g, r);
        struct planted *pl = person_buy(pp, g, r, day, buy_store, product, 1);
        if (!pl) return;
        struct plan_case *pc = person_case(pp, day + 1 + (int)rng_below(r, 4), g, r,
                                           rng_pct(r, 70) ? buy_store : pick_store(g, r), POLICY_KIND_RETURN);
        if (!pc) return;
        pp->pl_of[pp->ncases - 1] = (int8_t)(pp->npl - 1);
        pc->receipt = rng_pct(r, 85);
        pc->words = (uint8_t)rng_below(r, 2);
        pc->items[0].product = (int32_t)product;
        pc->items[0].condition = POLICY_COND_NEW;
        day += 7 + (int)rng_below(r, 22);
    }
}

/* One purchase returned, then the same item brought back again at other
 * stores with the same receipt (or, now and then, only the card). */
static void plan_receipt_reuse(struct gen *g, struct rng *r, struct person *pp)
{
    int day = CASE_FIRST_DAY + (int)rng_below(r, CASE_DAYS - 70);
    int stores[6] = {rng_pct(r, 70) ? pp->home : pick_store(g, r)};
    int64_t product = pick_product(g, r, -1, 2000, 12000);
    struct planted *pl = person_buy(pp, g, r, day, stores[0], product, 1);
    if (!pl) return;
    int back = day + 1 + (int)rng_below(r, 20), again = 2 + (int)rng_below(r, 3);
    for (int j = 0; j <= again && j < 6; j++) {
        if (j) {
            stores[j] = pick_other_store(g, r, stores, j);
            back += 3 + (int)rng_below(r, 18);
        }
        struct plan_case *pc = person_case(pp, back, g, r, stores[j], POLICY_KIND_RETURN);
        if (!pc) return;
        pp->pl_of[pp->ncases - 1] = (int8_t)(pp->npl - 1);
        pc->receipt = j == 0 || rng_pct(r, 70);
        pc->words = (uint8_t)(pc->receipt ? 0 : 3);
        pc->items[0].product = (int32_t)product;
        pc->items[0].condition = POLICY_COND_NEW;
    }
}

/* A Dutch mobile number for a person number, unique: customers' numbers
 * start 061..065, walk-ins' 066..069 (the multiplier is a bijection of the
 * range, so no two people share one by chance). */
static void phone_digits(int64_t n, int walk_in, char out[11])
{
    uint64_t range = walk_in ? 40000000u : 50000000u;
    uint64_t d = ((uint64_t)n * 48271u + 12345u) % range;
    snprintf(out, 11, "06%c%07llu", (char)((walk_in ? '6' : '1') + (int)(d / 10000000u)), (unsigned long long)(d % 10000000u));
}

/* One person with three accounts: this customer and the next two (who get a
 * shared phone and a mailbox written another way), each bringing a return or
 * two without a receipt at different stores over a few weeks. */
static void plan_ring(struct gen *g, struct rng *r, struct person *pp, const char *phone, const char *email)
{
    if (pp->index + 2 >= g->cfg->customers || g->npending + 2 > (int)COUNT(g->pending) || (!phone[0] && !email[0])) {
        pp->role = ROLE_SERIAL;
        plan_serial(g, r, pp);
        return;
    }
    int day = CASE_FIRST_DAY + (int)rng_below(r, CASE_DAYS - 60);
    int stores[4] = {pp->home}, nstores = 3 + (int)rng_below(r, 2);
    for (int k = 1; k < nstores; k++) stores[k] = pick_other_store(g, r, stores, k);
    int n = 5 + (int)rng_below(r, 4);
    for (int j = 0; j < n; j++) {
        if (j) day += 2 + (int)rng_below(r, 9);
        struct plan_case *pc = person_case(pp, day, g, r, stores[(j + (int)rng_below(r, 2)) % nstores],
                                           POLICY_KIND_RETURN);
        if (!pc) return;
        pc->customer_id = pp->id + j % 3;
        pc->words = (uint8_t)(rng_pct(r, 50) ? 3 : 4);
        pc->items[0].product = (int32_t)pick_product(g, r, -1, 1500, 9000);
        pc->items[0].condition = POLICY_COND_NEW;
    }
    /* The second account shares the first one's phone (or, without one, its
     * mailbox, written another way); the third the second's mailbox. */
    struct pending *a = &g->pending[g->npending++], *b = &g->pending[g->npending++];
    memset(a, 0, sizeof *a);
    memset(b, 0, sizeof *b);
    *a = (struct pending){.index = pp->index + 1, .role = ROLE_RING_MEMBER, .person = pp->id, .share_mail = 1};
    *b = (struct pending){.index = pp->index + 2, .role = ROLE_RING_MEMBER, .person = pp->id};
    a->before = b->before = pp->cases[0].at - 30 * DAY_S * US;
    if (phone[0]) snprintf(a->phone, sizeof a->phone, "+31 6 %.4s %.4s", phone + 2, phone + 6);
    else snprintf(a->mail, sizeof a->mail, "%s", email);
}

/* Returns without a receipt at a few stores, days apart, as a walk-in who
 * gives a phone number when asked; some give their e-mail address one time
 * and the phone the next, a few refuse. */
static void plan_walk_in_repeater(struct gen *g, struct rng *r, struct person *pp)
{
    int day = CASE_FIRST_DAY + (int)rng_below(r, CASE_DAYS - 50);
    int stores[4] = {pp->home}, nstores = 2 + (int)rng_below(r, 3);
    for (int k = 1; k < nstores; k++) stores[k] = pick_other_store(g, r, stores, k);
    unsigned habit = rng_below(r, 10);
    int n = 4 + (int)rng_below(r, 5);
    for (int j = 0; j < n; j++) {
        if (j) day += 2 + (int)rng_below(r, 13);
        struct plan_case *pc = person_case(pp, day, g, r, stores[rng_below(r, (uint32_t)nstores)], POLICY_KIND_RETURN);
        if (!pc) return;
        pc->customer_id = 0;
        pc->walk_in = -(pp->index + 1);
        pc->label = ROLE_WALK_IN_REPEATER;
        pc->contact = habit == 0 ? CONTACT_REFUSES : habit <= 2 && j % 2 ? CONTACT_EMAIL : CONTACT_PHONE;
        pc->words = (uint8_t)(rng_pct(r, 50) ? 2 : 9);
        pc->items[0].product = (int32_t)pick_product(g, r, -1, 1500, 9000);
        pc->items[0].condition = POLICY_COND_NEW;
    }
}

/* A walk-in (no card) who brings something back without a receipt once or
 * twice, and gives a phone number or e-mail address when asked, nine times
 * in ten. */
static void plan_walk_in(struct gen *g, struct rng *r, struct person *pp)
{
    int n = rng_pct(r, 30) ? 2 : 1;
    unsigned contact = rng_pct(r, 90) ? (rng_pct(r, 60) ? CONTACT_PHONE : CONTACT_EMAIL) : CONTACT_REFUSES;
    for (int j = 0; j < n; j++) {
        struct plan_case *pc = person_case(pp, CASE_FIRST_DAY + (int)rng_below(r, CASE_DAYS), g, r,
                                           rng_pct(r, 70) ? pp->home : pick_store(g, r),
                                           rng_pct(r, 85) ? POLICY_KIND_RETURN : POLICY_KIND_EXCHANGE);
        if (!pc) return;
        pc->customer_id = 0;
        pc->walk_in = -(pp->index + 1);
        pc->label = ROLE_WALK_IN;
        pc->contact = (uint8_t)contact;
        pc->words = (uint8_t)(rng_pct(r, 50) ? 0 : 9);
        pc->items[0].product = (int32_t)pick_product(g, r, -1, 1000, 8000);
        pc->items[0].condition = rng_pct(r, 85) ? POLICY_COND_NEW : POLICY_COND_USED;
    }
}

/* Never keeps a receipt: a few of their own recent purchases come back,
 * found through the card. */
static void plan_card(struct gen *g, struct rng *r, struct person *pp)
{
    int day = CASE_FIRST_DAY + (int)rng_below(r, 60), n = 2 + (int)rng_below(r, 3);
    for (int j = 0; j < n && day + 3 < HISTORY_DAYS; j++) {
        int store = rng_pct(r, 80) ? pp->home : pick_store(g, r);
        int64_t product = pick_product(g, r, -1, 1000, 15000);
        struct planted *pl = person_buy(pp, g, r, day, store, product, 1);
        if (!pl) return;
        struct plan_case *pc = person_case(pp, day + 2 + (int)rng_below(r, 24), g, r, rng_pct(r, 70) ? store : pp->home,
                                           rng_pct(r, 85) ? POLICY_KIND_RETURN : POLICY_KIND_EXCHANGE);
        if (!pc) return;
        pp->pl_of[pp->ncases - 1] = (int8_t)(pp->npl - 1);
        pc->words = 3;
        pc->items[0].product = (int32_t)product;
        pc->items[0].condition = rng_pct(r, 85) ? POLICY_COND_NEW : POLICY_COND_USED;
        day += 10 + (int)rng_below(r, 40);
    }
}

/* Children's clothes in two sizes every week or two for a few months (two
 * of one, or two colours of a style); one size comes back within days,
 * mostly with the receipt. */
static void plan_family(struct gen *g, struct rng *r, struct person *pp)
{
    int day = CASE_FIRST_DAY - 10 + (int)rng_below(r, 60), n = 4 + (int)rng_below(r, 5);
    int kids = category_index("kinderen");
    for (int j = 0; j < n && day + 3 < HISTORY_DAYS; j++) {
        int store = rng_pct(r, 80) ? pp->home : pick_store(g, r);
        int64_t product = pick_product(g, r, kids, 0, 1000000);
        int two_lines = rng_pct(r, 40);
        struct planted *pl = person_buy(pp, g, r, day, store, product, two_lines ? 1 : 2);
        if (!pl) return;
        if (two_lines) pl->product2 = same_style(g, r, product);
        if (rng_pct(r, 75)) {
            struct plan_case *pc = person_case(pp, day + 1 + (int)rng_below(r, 9), g, r, rng_pct(r, 80) ? store : pp->home,
                                               rng_pct(r, 75) ? POLICY_KIND_RETURN : POLICY_KIND_EXCHANGE);
            if (!pc) return;
            pp->pl_of[pp->ncases - 1] = (int8_t)(pp->npl - 1);
            pc->receipt = rng_pct(r, 70);
            pc->words = 0;
            pc->items[0].product = (int32_t)(two_lines && rng_pct(r, 50) ? pl->product2 : product);
            pc->items[0].condition = POLICY_COND_NEW;
        }
        day += 5 + (int)rng_below(r, 14);
    }
}

/* One expensive purchase brought back with its receipt. */
static void plan_big_ticket(struct gen *g, struct rng *r, struct person *pp)
{
    int day = CASE_FIRST_DAY + (int)rng_below(r, CASE_DAYS - 30);
    static const char *const cats[] = {"elektra", "elektra", "dames", "heren"};
    int64_t product = pick_product(g, r, category_index(PICK(r, cats)), 25000, 60000);
    int store = rng_pct(r, 70) ? pp->home : pick_store(g, r);
    struct planted *pl = person_buy(pp, g, r, day, store, product, 1);
    if (!pl) return;
    struct plan_case *pc = person_case(pp, day + 2 + (int)rng_below(r, 24), g, r, store, POLICY_KIND_RETURN);
    if (!pc) return;
    pp->pl_of[pp->ncases - 1] = (int8_t)(pp->npl - 1);
    pc->receipt = rng_pct(r, 90);
    pc->words = (uint8_t)rng_below(r, 3);
    pc->items[0].product = (int32_t)product;
    pc->items[0].condition = POLICY_COND_NEW;
}

/* Presents for the next customer, bought on this one's card; now and then
 * the giver brings one back first (plan_finish hands the rest on). */
static void plan_gift(struct gen *g, struct rng *r, struct person *pp)
{
    if (pp->index + 1 >= g->cfg->customers || g->npending + 1 > (int)COUNT(g->pending)) {
        pp->role = ROLE_NONE;
        return;
    }
    int day = CASE_FIRST_DAY - 20 + (int)rng_below(r, CASE_DAYS - 10);
    int store = rng_pct(r, 70) ? pp->home : pick_store(g, r);
    int n = rng_pct(r, 60) ? 2 : 1, own = rng_pct(r, 30);
    int first = pp->npl;
    for (int k = 0; k < n + own; k++) {
        struct planted *pl = person_buy(pp, g, r, day, store, pick_product(g, r, -1, 1500, 12000), 1);
        if (!pl) return;
        pl->at = pp->pl[first].at + k * 60 * US;   /* one visit, receipt after receipt: in time order */
    }
    if (own) {   /* the last one: the giver changes their mind */
        struct plan_case *pc = person_case(pp, day + 1 + (int)rng_below(r, 20), g, r, store, POLICY_KIND_RETURN);
        if (!pc) return;
        pp->pl_of[pp->ncases - 1] = (int8_t)(pp->npl - 1);
        pc->receipt = 1;
        pc->items[0].product = (int32_t)pp->pl[pp->npl - 1].product;
        pc->items[0].condition = POLICY_COND_NEW;
    }
    struct pending *p = &g->pending[g->npending++];
    memset(p, 0, sizeof *p);
    p->index = pp->index + 1;
    p->role = ROLE_GIFT_RECEIVER;
    p->person = pp->id;
    p->npresents = n;              /* their references follow in plan_finish */
    p->before = pp->pl[first].at;  /* the receiver has an account by then */
}

/* The presents someone else bought for this customer: most come back with
 * the gift receipt some weeks later, at their own store. */
static void plan_gift_receiver(struct gen *g, struct rng *r, struct person *pp)
{
    const struct pending *f = pp->forced;
    for (int k = 0; k < f->npresents; k++) {
        if (!rng_pct(r, 75)) continue;
        int day = day_index(g, f->presents[k].at) + 7 + (int)rng_below(r, 45);
        struct plan_case *pc = person_case(pp, day, g, r, rng_pct(r, 70) ? pp->home : f->presents[k].store,
                                           rng_pct(r, 80) ? POLICY_KIND_RETURN : POLICY_KIND_EXCHANGE);
        if (!pc) return;
        pc->words = 4;
        pc->items[0].product = f->presents[k].product;
        pc->items[0].condition = POLICY_COND_NEW;
        pc->items[0].gift = 1;
        snprintf(pc->items[0].ref, sizeof pc->items[0].ref, "%s", f->presents[k].ref);
    }
}

/* Before the customer's purchases are made: their role, and for those with
 * a plan of their own the planted purchases and the cases that use them
 * (ordinary honest returners plan from their purchases, afterwards). phone
 * and email: the customer's, the phone in national digits ("" without). */
static void plan_role(struct gen *g, struct person *pp, struct rng *r, const char *phone, const char *email)
{
    pp->role = ROLE_NONE;
    pp->npl = pp->ncases = 0;
    if (pp->forced) {
        pp->role = pp->forced->role;
        if (pp->role == ROLE_GIFT_RECEIVER) plan_gift_receiver(g, r, pp);
        return;
    }
    unsigned x = rng_below(r, 1000);
    int64_t seasoned = g->cfg->end_us - (int64_t)(CASE_DAYS + 30) * DAY_S * US;
    if (x < ABUSER_PERMILLE && pp->created_at < seasoned) {
        static const int kinds[ABUSER_PERMILLE] = {ROLE_SERIAL, ROLE_SERIAL, ROLE_WARDROBER, ROLE_WARDROBER, ROLE_CROSS,
                                                   ROLE_CROSS, ROLE_RECEIPTED_WARDROBER, ROLE_RECEIPT_REUSE, ROLE_RING,
                                                   ROLE_WALK_IN_REPEATER};
        pp->role = kinds[rng_below(r, ABUSER_PERMILLE)];
        switch (pp->role) {
        case ROLE_SERIAL: plan_serial(g, r, pp); break;
        case ROLE_WARDROBER: plan_wardrober(g, r, pp); break;
        case ROLE_CROSS: plan_cross(g, r, pp); break;
        case ROLE_RECEIPTED_WARDROBER: plan_receipted_wardrober(g, r, pp); break;
        case ROLE_RECEIPT_REUSE: plan_receipt_reuse(g, r, pp); break;
        case ROLE_RING: plan_ring(g, r, pp, phone, email); break;
        default: plan_walk_in_repeater(g, r, pp); break;
        }
    } else if (x >= ABUSER_PERMILLE && x < ABUSER_PERMILLE + HONEST_PERMILLE) {
        pp->role = ROLE_HONEST;
    } else if (x >= ABUSER_PERMILLE + HONEST_PERMILLE && x < ABUSER_PERMILLE + HONEST_PERMILLE + HONEST_KINDS_PERMILLE &&
               pp->created_at < seasoned) {
        unsigned y = x - (ABUSER_PERMILLE + HONEST_PERMILLE);
        unsigned z = y * 2 + rng_below(r, 2);            /* halves of a per mille */
        pp->role = z < 4 ? ROLE_GIFT : z < 8 ? ROLE_CARD : z < 11 ? ROLE_FAMILY : z < 13 ? ROLE_BIG_TICKET : ROLE_WALK_IN;
        switch (pp->role) {
        case ROLE_GIFT: plan_gift(g, r, pp); break;
        case ROLE_CARD: plan_card(g, r, pp); break;
        case ROLE_FAMILY: plan_family(g, r, pp); break;
        case ROLE_BIG_TICKET: plan_big_ticket(g, r, pp); break;
        default: plan_walk_in(g, r, pp); break;
        }
    }
}

/* An honest customer's cases, from their own recent purchases: lines of
 * chunk c from lfirst on, their receipts from rfirst on (ids contiguous). */
static void plan_honest(struct gen *g, const struct chunk *c, struct rng *r, struct person *pp, size_t rfirst,
                        size_t lfirst)
{
    size_t recent[64];
    int n = 0;
    int64_t spend = 0;
    for (size_t l = lfirst; l < c->nlines; l++) {
        const struct line_row *ln = &c->lines[l];
        spend += ln->price * ln->qty;
        const struct receipt_row *rr = &c->receipts[rfirst + (size_t)(ln->receipt_id - c->receipts[rfirst].id)];
        int d = day_index(g, rr->at);
        if (d >= CASE_FIRST_DAY - 25 && d < HISTORY_DAYS - 1 && n < 64) recent[n++] = l;
    }
    int tier_gold = pp->member && spend >= FACTS_GOLD_CENTS, tier_plat = pp->member && spend >= FACTS_PLATINUM_CENTS;
    unsigned many = rng_below(r, 100);
    int cases = many < 65 ? 1 : many < 92 ? 2 : 3;
    size_t used[3];
    int nused = 0;
    for (int k = 0; k < cases; k++) {
        unsigned t = rng_below(r, 100);
        if (t >= 95 && rng_pct(r, 60)) {                 /* presents they got, without receipts, in one visit */
            int day = CASE_FIRST_DAY + (int)rng_below(r, CASE_DAYS);
            struct plan_case *pc = person_case(pp, day, g, r, pp->home, POLICY_KIND_RETURN);
            if (!pc) continue;
            pc->n_items = 2;
            pc->words = 4;
            for (int i = 0; i < 2; i++) {
                pc->items[i].product = (int32_t)pick_product(g, r, -1, 1000, 6000);
                pc->items[i].condition = POLICY_COND_NEW;
            }
            continue;
        }
        if (t >= 82 && t < 88 && tier_gold) {            /* the worn dress */
            int day = CASE_FIRST_DAY + (int)rng_below(r, CASE_DAYS);
            struct plan_case *pc = person_case(pp, day, g, r, rng_pct(r, 80) ? pp->home : pick_store(g, r),
                                               POLICY_KIND_RETURN);
            if (!pc) continue;
            unsigned w = rng_below(r, NOT_OURS_GOODS);
            pc->items[0].nsh = (int16_t)w;
            pc->items[0].condition = rng_pct(r, 60) ? POLICY_COND_WORN : POLICY_COND_USED;
            int64_t top = tier_plat ? 55000 : 28000;
            pc->items[0].stated_cents = (4000 + (int64_t)rng_below(r, (uint32_t)(top - 4000) / 500) * 500);
            pc->words = 6;
            continue;
        }
        if (t >= 82 && t < 88) t = 0;                    /* not gold: an ordinary return instead */
        if (n == 0) continue;
        size_t l = recent[rng_below(r, (uint32_t)n)];
        if (t >= 62 && t < 78)                           /* without a receipt: mostly cheaper things */
            for (int tries = 0; tries < 4 && c->lines[l].price > 10000; tries++) l = recent[rng_below(r, (uint32_t)n)];
        if (t >= 78 && t < 82)                           /* worn: clothes, if any */
            for (int tries = 0; tries < 4 && g->products[c->lines[l].product_id - 1].category > 1; tries++)
                l = recent[rng_below(r, (uint32_t)n)];
        /* A purchase comes back once: another case takes another line. */
        int taken = 0;
        for (int u = 0; u < nused; u++) taken |= used[u] == l;
        if (taken) continue;
        used[nused++] = l;
        const struct line_row *ln = &c->lines[l];
        const struct receipt_row *rr = &c->receipts[rfirst + (size_t)(ln->receipt_id - c->receipts[rfirst].id)];
        int bought = day_index(g, rr->at), store = 0, kind = POLICY_KIND_RETURN, receipt = 1, day;
        enum policy_condition cond = rng_pct(r, 85) ? POLICY_COND_NEW : POLICY_COND_USED;
        for (int s = 0; s < NSTORES; s++)
            if (g->store_ids[s] == rr->store_id) store = s;
        if (t < 62) {                                    /* with the receipt, within the month */
            day = bought + 1 + (int)rng_below(r, 27);
            if (rng_pct(r, 30)) store = pp->home;
            if (rng_pct(r, 15)) kind = POLICY_KIND_EXCHANGE;
        } else if (t < 78) {
            day = bought + 3 + (int)rng_below(r, 42);
            receipt = 0;
            store = rng_pct(r, 80) ? pp->home : store;
        } else if (t < 82) {                             /* worn once; mostly weeks later */
            day = bought + (rng_pct(r, 75) ? 15 + (int)rng_below(r, 14) : 3 + (int)rng_below(r, 10));
            cond = POLICY_COND_WORN;
        } else if (t < 95) {                             /* a repair of something of ours */
            day = bought + 10 + (int)rng_below(r, 60);
            kind = POLICY_KIND_REPAIR;
            cond = POLICY_COND_DEFECTIVE;
        } else {                                         /* a complaint */
            day = bought + 2 + (int)rng_below(r, 30);
            kind = POLICY_KIND_COMPLAINT;
            cond = POLICY_COND_USED;
        }
        struct plan_case *pc = person_case(pp, day, g, r, store, kind);
        if (!pc) continue;
        pc->receipt = (uint8_t)receipt;
        pc->words = (uint8_t)(kind == POLICY_KIND_REPAIR ? 5 : kind == POLICY_KIND_COMPLAINT ? 7 : receipt ? rng_below(r, 3) : 3);
        pc->items[0].product = (int32_t)(ln->product_id - 1);
        pc->items[0].condition = (uint8_t)cond;
        if (receipt) snprintf(pc->items[0].ref, sizeof pc->items[0].ref, "%s", rr->ref);
        if (kind == POLICY_KIND_REPAIR && rng_pct(r, 15)) {   /* the vacuum cleaner of a brand we do not carry */
            pc->items[0].product = -1;
            pc->items[0].nsh = (int16_t)(NOT_OURS_GOODS + rng_below(r, (uint32_t)(COUNT(not_ours) - NOT_OURS_GOODS)));
            pc->items[0].stated_cents = 0;
            pc->items[0].ref[0] = '\0';
            pc->receipt = 0;
        }
    }
}

/* The customer's row of customer_facts and their customer_days purchases,
 * as facts_add_receipts() counts them: receipts [rfirst, nreceipts) and
 * lines [lfirst, nlines) of chunk c, receipts in time order with
 * consecutive ids, lines in receipt order. */
static int count_customer(struct gen *g, struct chunk *c, int64_t id, size_t rfirst, size_t lfirst)
{
    struct facts_row *f = &c->facts[c->ncustomers - 1];
    *f = (struct facts_row){id, 0, (int64_t)(c->nreceipts - rfirst), c->receipts[rfirst].at,
                            c->receipts[c->nreceipts - 1].at};
    for (size_t l = lfirst; l < c->nlines; l++) {
        const struct line_row *ln = &c->lines[l];
        const struct receipt_row *rr = &c->receipts[rfirst + (size_t)(ln->receipt_id - c->receipts[rfirst].id)];
        f->spend += ln->price * ln->qty;
        if (rr->at < g->days_from_us) continue;
        int64_t day = rr->at / (DAY_S * US);
        if (c->ndays && c->days[c->ndays - 1].customer_id == id && c->days[c->ndays - 1].day == day) {
            c->days[c->ndays - 1].purchases += ln->qty;
            continue;
        }
        if (grow((void **)&c->days, &c->days_cap, c->ndays, sizeof *c->days) != TD_OK) return TD_E_NOMEM;
        c->days[c->ndays++] = (struct day_row){id, day, ln->qty};
    }
    return TD_OK;
}

/* After the customer's purchases: the planted receipts' references go into
 * the cases that bring those purchases back, the cases into the plan, the
 * labels onto the accounts that bring them (a ring's onto all three, as one
 * person), and a giver's presents to the next customer. */
static int plan_finish(struct gen *g, struct person *pp)
{
    int64_t ids[PERSON_CASES];
    int nids = 0;
    for (int k = 0; k < pp->ncases; k++) {
        struct plan_case *pc = &pp->cases[k];
        if (pp->pl_of[k] >= 0 && pc->receipt)
            snprintf(pc->items[0].ref, sizeof pc->items[0].ref, "%s", pp->pl[pp->pl_of[k]].ref);
        if (grow((void **)&g->plan, &g->plan_cap, g->nplan, sizeof *g->plan) != TD_OK) return TD_E_NOMEM;
        g->plan[g->nplan++] = *pc;
        int seen = !pc->customer_id;
        for (int i = 0; i < nids && !seen; i++) seen = ids[i] == pc->customer_id;
        if (!seen) ids[nids++] = pc->customer_id;
    }
    const char *label = role_labels[pp->role];
    for (int i = 0; label && i < nids; i++) {
        if (grow((void **)&g->labels, &g->labels_cap, g->nlabels, sizeof *g->labels) != TD_OK) return TD_E_NOMEM;
        g->labels[g->nlabels++] = (struct plan_label){ids[i], pp->role == ROLE_RING ? pp->id : ids[i], label};
    }
    if (pp->role == ROLE_GIFT && g->npending > 0) {
        struct pending *p = &g->pending[g->npending - 1];
        for (int k = 0; k < p->npresents && k < PRESENTS_MAX; k++) {
            snprintf(p->presents[k].ref, sizeof p->presents[k].ref, "%s", pp->pl[k].ref);
            p->presents[k].product = (int32_t)pp->pl[k].product;
            p->presents[k].at = pp->pl[k].at;
            p->presents[k].store = pp->pl[k].store;
        }
    }
    return TD_OK;
}

/* Keeps a copy of each of the customer's terms ('\n'-separated). */
static int terms_keep(struct gen *g, int64_t id, const char *terms)
{
    for (const char *p = terms; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (g->pool_used + len + 1 > g->pool_cap) {
            size_t cap = 16u << 20;
            char **pools = realloc(g->pools, (g->npools + 1) * sizeof *pools);
            if (!pools) return TD_E_NOMEM;
            g->pools = pools;
            if (!(g->pools[g->npools] = malloc(cap))) return TD_E_NOMEM;
            g->npools++;
            g->pool_used = 0;
            g->pool_cap = cap;
        }
        if (grow((void **)&g->term_list, &g->term_cap, g->nterms, sizeof *g->term_list) != TD_OK) return TD_E_NOMEM;
        char *copy = g->pools[g->npools - 1] + g->pool_used;
        memcpy(copy, p, len);
        copy[len] = '\0';
        g->pool_used += len + 1;
        g->term_list[g->nterms++] = (struct term){ copy, id };
        p = nl ? nl + 1 : p + len;
    }
    return TD_OK;
}

static int cmp_term(const void *a, const void *b)
{
    const struct term *x = a, *y = b;
    int c = strcmp(x->text, y->text);
    return c ? c : (x->customer_id > y->customer_id) - (x->customer_id < y->customer_id);
}

static int add_consent(struct chunk *c, int64_t id, const char *channel, int given, int64_t at, const char *source)
{
    if (grow((void **)&c->consents, &c->consents_cap, c->nconsents, sizeof *c->consents) != TD_OK) return TD_E_NOMEM;
    c->consents[c->nconsents++] = (struct consent_row){ id, at, channel, source, given };
    return TD_OK;
}

/* The same mailbox written another way, as one person gives it for another
 * account: the dots moved, a capital, a +tag, googlemail for gmail. */
static void mailbox_variant(struct rng *r, const char *email, char *out, size_t n)
{
    const char *at = strchr(email, '@');
    char local[128];
    size_t k = 0;
    for (const char *p = email; at && p < at && *p != '+' && k + 1 < sizeof local; p++)
        if (*p != '.') local[k++] = *p;
    local[k] = '\0';
    if (!at || k < 2) {
        snprintf(out, n, "%s", email);
        return;
    }
    size_t dot = 1 + rng_below(r, (uint32_t)(k - 1));
    char first = local[0] >= 'a' && local[0] <= 'z' ? (char)(local[0] - 'a' + 'A') : local[0];
    const char *dom = at + 1;
    if (strcmp(dom, "gmail.com") == 0 && rng_pct(r, 40)) dom = "googlemail.com";
    static const char *const tags[] = {"", "+winkel", "+retour", "+2"};
    snprintf(out, n, "%c%.*s.%s%s@%s", first, (int)(dot - 1), local + 1, local + dot, PICK(r, tags), dom);
}

static uint64_t hash_text(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h ? h : 1;
}

/* Claims the mailbox of email for one customer: 0 when another has it.
 * Real people do not share an address by chance; the generator's name-based
 * addresses would ("sanne.devries@gmail.com" thousands of times). */
static int mailbox_claim(struct gen *g, const char *email)
{
    char mb[255];
    if (text_mailbox(email, mb) != TD_OK) return 1;
    uint64_t h = hash_text(mb);
    size_t mask = g->mailbox_cap - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        if (g->mailboxes[i] == h) return 0;
        if (g->mailboxes[i] == 0) {
            g->mailboxes[i] = h;
            return 1;
        }
    }
}

/* Keeps a customer's identity key (identity_set_customer's, in bulk). */
static int key_keep(struct gen *g, const char *normal, int64_t id)
{
    if (grow((void **)&g->key_list, &g->key_cap, g->nkeys, sizeof *g->key_list) != TD_OK) return TD_E_NOMEM;
    struct key_row *k = &g->key_list[g->nkeys++];
    identity_key(g->secret, normal, k->key);
    k->customer_id = id;
    return TD_OK;
}

static int cmp_key(const void *a, const void *b)
{
    const struct key_row *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->customer_id > y->customer_id) - (x->customer_id < y->customer_id);
}

/* What a walk-in (person number below 0) says when asked for a contact. */
static void walk_in_contact_text(int64_t person, int kind, char *out, size_t n)
{
    char digits[11];
    phone_digits(-person, 1, digits);
    if (kind == CONTACT_EMAIL) snprintf(out, n, "bezoeker%lld@ziggo.nl", (long long)-person);
    else snprintf(out, n, "%.2s-%s", digits, digits + 2);
}

/* Customer i (0-based; id i + 1) with consent, terms and purchases. */
static int make_customer(struct gen *g, struct chunk *c, int64_t i)
{
    struct rng r;
    rng_stream(&r, g->cfg->seed, STREAM_CUSTOMER, (uint64_t)i);
    struct customer_row *cu = &c->customers[c->ncustomers++];
    memset(cu, 0, offsetof(struct customer_row, loyalty));
    cu->id = i + 1;
    char first[64], last[160];
    make_name(&r, first, sizeof first, last, sizeof last);
    snprintf(cu->name, sizeof cu->name, "%s %s", first, last);
    cu->email[0] = cu->phone[0] = cu->loyalty[0] = '\0';
    char digits[11];
    phone_digits(i, 0, digits);
    if (rng_pct(&r, 85)) {
        make_email(&r, first, last, cu->email, sizeof cu->email);
        for (int tries = 0; !mailbox_claim(g, cu->email); tries++) {   /* taken: the number people add */
            char f[64], l[96];
            ascii_compact(first, f, sizeof f);
            ascii_compact(last, l, sizeof l);
            if (tries < 8) snprintf(cu->email, sizeof cu->email, "%s.%s%u@%s", f, l, 1 + rng_below(&r, 9999), PICK(&r, mail_domains));
            else snprintf(cu->email, sizeof cu->email, "%s.%s.%lld@%s", f, l, (long long)cu->id, PICK(&r, mail_domains));
        }
    }
    if (rng_pct(&r, 72)) make_phone(&r, digits, cu->phone, sizeof cu->phone);
    g->loyalty_seq += 1 + rng_below(&r, (uint32_t)g->loyalty_step);
    int member = rng_pct(&r, 90);
    /* An account an earlier customer's plan made this one (see struct pending). */
    struct pending forced;
    int is_forced = g->npending > 0 && g->pending[0].index == i;
    if (is_forced) {
        forced = g->pending[0];
        memmove(g->pending, g->pending + 1, (size_t)--g->npending * sizeof g->pending[0]);
    }
    if (is_forced && forced.role == ROLE_RING_MEMBER) {
        member = 1;
        if (forced.phone[0]) snprintf(cu->phone, sizeof cu->phone, "%s", forced.phone);
        if (forced.mail[0]) mailbox_variant(&r, forced.mail, cu->email, sizeof cu->email);
        else if (forced.share_mail && !cu->email[0]) {
            snprintf(cu->email, sizeof cu->email, "%s.%lld@gmail.com", last[0] ? "klant" : "k", (long long)cu->id);
            (void)mailbox_claim(g, cu->email);
        }
        /* The next account writes this one's mailbox (or the leader's) another way. */
        for (int k = 0; forced.share_mail && k < g->npending; k++)
            if (g->pending[k].index == i + 1 && g->pending[k].role == ROLE_RING_MEMBER)
                snprintf(g->pending[k].mail, sizeof g->pending[k].mail, "%s", cu->email);
    }
    if (member) make_loyalty(g->loyalty_seq, cu->loyalty);
    int home = pick_store(g, &r);
    cu->home_store_id = rng_pct(&r, 97) ? g->store_ids[home] : 0;
    /* Signed up between eight years and two weeks ago. */
    cu->created_at = g->cfg->end_us - (14 + (int64_t)rng_below(&r, 8 * 365 - 14)) * DAY_S * US -
                     (int64_t)rng_below(&r, 86400) * US;
    if (is_forced && forced.before && cu->created_at > forced.before) cu->created_at = forced.before;
    /* Consent at loyalty sign-up; a few later unsubscribed. */
    int email_consent = member && cu->email[0] && rng_pct(&r, 45);
    int withdrawn = email_consent && rng_pct(&r, 6);
    int64_t withdrawn_at =
        cu->created_at + (int64_t)rng_below(&r, (uint32_t)((g->cfg->end_us - cu->created_at) / US)) * US;
    int phone_consent = member && cu->phone[0] && rng_pct(&r, 20);
    int64_t consent_at = cu->created_at + (int64_t)rng_below(&r, 600) * US;
    int rc = TD_OK;
    if (email_consent) {
        cu->email_consent = !withdrawn;
        cu->email_consent_at = withdrawn ? withdrawn_at : consent_at;
        cu->email_source = withdrawn ? "unsubscribe-link" : "loyalty-signup";
        rc = add_consent(c, cu->id, "email_marketing", 1, consent_at, "loyalty-signup");
        if (rc == TD_OK && withdrawn) rc = add_consent(c, cu->id, "email_marketing", 0, withdrawn_at, "unsubscribe-link");
        g->sum->email_consents += !withdrawn;
    }
    if (rc == TD_OK && phone_consent) {
        cu->phone_consent = 1;
        cu->phone_consent_at = consent_at;
        cu->phone_source = "loyalty-signup";
        rc = add_consent(c, cu->id, "phone_marketing", 1, consent_at, "loyalty-signup");
        g->sum->phone_consents++;
    }
    /* Invariant (2): the terms customer_create() would write. */
    if (rc == TD_OK)
        rc = customer_index_text(cu->name, cu->email[0] ? cu->email : NULL, cu->phone[0] ? cu->phone : NULL,
                                 cu->loyalty[0] ? cu->loyalty : NULL, &g->terms, &g->search_text);
    if (rc == TD_OK) rc = domain_copy(cu->search_text, sizeof cu->search_text, g->search_text.data);
    if (rc == TD_OK) rc = terms_keep(g, cu->id, g->terms.data);
    /* The identity keys customer_create() would write (identity.h). */
    char form[IDENTITY_CONTACT_SZ];
    if (rc == TD_OK && identity_normal_phone(cu->phone, form) == TD_OK) rc = key_keep(g, form, cu->id);
    if (rc == TD_OK && identity_normal_mail(cu->email, form) == TD_OK) rc = key_keep(g, form, cu->id);
    /* The case history's part: a stream of its own (see plan_role). */
    struct person *pp = g->person;
    struct rng cr;
    rng_stream(&cr, g->cfg->seed, STREAM_CASES, (uint64_t)i);
    pp->index = i;
    pp->id = cu->id;
    pp->created_at = cu->created_at;
    pp->home = home;
    pp->member = member;
    pp->forced = is_forced ? &forced : NULL;
    char national[20] = "";
    if (cu->phone[0]) TD_BEST_EFFORT(text_phone_normalize(cu->phone, national));
    plan_role(g, pp, &cr, national, cu->email);
    size_t rfirst = c->nreceipts, lfirst = c->nlines;
    if (rc == TD_OK) rc = make_purchases(g, c, &r, cu->id, cu->created_at, home, pp->pl, pp->npl);
    if (rc == TD_OK && c->nreceipts == rfirst) rc = TD_E_INTERNAL;    /* everyone buys at least once */
    if (rc == TD_OK) rc = count_customer(g, c, cu->id, rfirst, lfirst);
    if (rc == TD_OK && pp->role == ROLE_HONEST) plan_honest(g, c, &cr, pp, rfirst, lfirst);
    if (rc == TD_OK) rc = plan_finish(g, pp);
    g->sum->customers++;
    return rc;
}

/* Anonymous receipts carry about one line per customer in all; at 1.4
 * lines each that is this many receipts per 1000 customers. */
#define ANON_PER_MILLE 700

static int produce(struct gen *g)
{
    int64_t n = g->cfg->customers, nanon = n * ANON_PER_MILLE / 1000 + 1, anon = 0;
    struct chunk *c = NULL;
    int rc = TD_OK;
    for (int64_t i = 0; i < n && rc == TD_OK; i++) {
        if (!c && (rc = take_spare(&g->pipe, &c)) != TD_OK) break;
        rc = make_customer(g, c, i);
        /* Interleave the anonymous receipts so both kinds advance through
         * the two years together (see make_anonymous). */
        while (rc == TD_OK && anon < (i + 1) * nanon / n) rc = make_anonymous(g, c, anon++, nanon);
        if (rc == TD_OK && c->ncustomers == CHUNK_CUSTOMERS) {
            put_ready(&g->pipe, c);
            c = NULL;
        }
    }
    if (c) {
        if (rc == TD_OK) put_ready(&g->pipe, c);
        else put_spare(&g->pipe, c);
    }
    /* Sorting here overlaps with the writer finishing the last chunks. */
    if (rc == TD_OK) qsort(g->term_list, g->nterms, sizeof *g->term_list, cmp_term);
    if (rc == TD_OK && g->nkeys) qsort(g->key_list, g->nkeys, sizeof *g->key_list, cmp_key);
    /* How many accounts carry each key (identity.c keeps it on every row). */
    for (size_t i = 0, j; rc == TD_OK && i < g->nkeys; i = j) {
        for (j = i + 1; j < g->nkeys && strcmp(g->key_list[j].key, g->key_list[i].key) == 0; j++) {}
        for (size_t k = i; k < j; k++) g->key_list[k].shared = (int64_t)(j - i);
    }
    g->sum->search_terms = (int64_t)g->nterms;
    return rc;
}

static void *producer_main(void *arg)
{
    struct gen *g = arg;
    int rc = produce(g);
    pthread_mutex_lock(&g->pipe.mu);
    g->pipe.producer_rc = rc;
    g->pipe.producer_done = 1;
    pthread_cond_broadcast(&g->pipe.cv);
    pthread_mutex_unlock(&g->pipe.mu);
    return NULL;
}

/* Starts the producer and writes what it makes, then the sorted terms. */
static int load_customers(struct gen *g)
{
    struct pipeline *p = &g->pipe;
    for (int i = 0; i < NCHUNKS; i++) {
        if (!(p->all[i] = chunk_new())) return TD_E_NOMEM;
        p->spare[p->nspare++] = p->all[i];
    }
    pthread_t producer;
    if (pthread_create(&producer, NULL, producer_main, g) != 0) return TD_E_NOMEM;
    int rc = TD_OK;
    long long written = 0;
    struct chunk *c;
    while ((c = take_ready(p)) != NULL) {
        rc = write_chunk(g, c);
        written += (long long)c->ncustomers;
        put_spare(p, c);
        if (rc != TD_OK) {
            pipeline_stop(p);
            break;
        }
        if (g->cfg->progress) g->cfg->progress(g->cfg->progress_arg, "customers", written, (long long)g->cfg->customers);
    }
    pthread_join(producer, NULL);
    if (rc == TD_OK) rc = p->producer_rc;
    if (rc == TD_OK && written != g->cfg->customers) rc = TD_E_INTERNAL;
    if (rc == TD_OK) rc = write_terms(g);
    if (rc == TD_OK) rc = write_keys(g);
    return rc;
}

/* ---- the case history: replaying it at the desk (writer) ------------------ */

static int cmp_plan(const void *a, const void *b)
{
    const struct plan_case *x = a, *y = b;
    if (x->at != y->at) return (x->at > y->at) - (x->at < y->at);
    if (x->customer_id != y->customer_id) return (x->customer_id > y->customer_id) - (x->customer_id < y->customer_id);
    if (x->walk_in != y->walk_in) return (x->walk_in > y->walk_in) - (x->walk_in < y->walk_in);
    return (x->store > y->store) - (x->store < y->store);
}

/* The staff who work the desk: per store its manager and associates. */
static int load_staff_ids(struct gen *g)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(g->db, "SELECT id, role, store_id FROM staff WHERE store_id IS NOT NULL ORDER BY id", &st);
    if (rc != TD_OK) return rc;
    int nassoc[NSTORES] = {0};
    while ((rc = db_step(st)) == TD_ROW) {
        int64_t id = db_col_int64(st, 0), store_id = db_col_int64(st, 2);
        const char *role = db_col_text(st, 1);
        for (int s = 0; s < NSTORES; s++) {
            if (g->store_ids[s] != store_id) continue;
            if (strcmp(role, "manager") == 0) g->manager_ids[s] = id;
            else if (nassoc[s] < ASSOCIATES_PER_STORE) g->associate_ids[s][nassoc[s]++] = id;
        }
    }
    db_done(st);
    return rc == TD_DONE ? TD_OK : rc;
}

/* One planned case through the desk, as an associate of its store would
 * handle it: open it, ask for the recommendation, resolve with exactly that
 * (resolution and maximum amount); when a manager must approve, the store's
 * manager does so a few minutes later. A recommendation of store credit
 * without a known price (nothing sold lately) is declined instead, with a
 * reason, as the associate cannot name an amount. */
static int run_case(struct gen *g, const struct plan_case *pc, const struct ledger_config *lc)
{
    struct dctx c = {.db = g->db, .now_us = pc->at, .addr = "demo"};
    c.actor = (struct actor){g->associate_ids[pc->store][(pc->customer_id + pc->at / US) % ASSOCIATES_PER_STORE],
                             ROLE_ASSOCIATE, g->store_ids[pc->store]};
    struct desk_case_in in;
    memset(&in, 0, sizeof in);
    in.kind = (enum policy_kind)pc->kind;
    in.customer_id = pc->customer_id;
    in.store_code = chain[pc->store].code;
    in.receipt = pc->receipt != 0;
    in.customer_words = case_words[pc->words % COUNT(case_words)];
    in.n_items = pc->n_items;
    for (size_t i = 0; i < pc->n_items; i++) {
        const struct plan_item *it = &pc->items[i];
        struct desk_item_in *x = &in.items[i];
        x->condition = (enum policy_condition)it->condition;
        if (it->product >= 0) {
            x->sold_here = true;
            x->sku = g->products[it->product].sku;
            x->receipt_ref = it->ref[0] ? it->ref : NULL;
            x->gift_receipt = it->gift != 0;
        } else {
            x->brand = not_ours[it->nsh].brand;
            x->description = not_ours[it->nsh].description;
            x->stated_price_cents = it->stated_cents;
        }
    }
    /* A walk-in without a receipt: the associate asks for a phone number or
     * e-mail address as the case opens (the desk keeps it only where it
     * asks), and the person answers as they are (some refuse). */
    char contact[64];
    if (pc->walk_in && !pc->receipt && pc->contact != CONTACT_REFUSES) {
        walk_in_contact_text(pc->walk_in, pc->contact, contact, sizeof contact);
        in.walk_in_contact = contact;
    }
    struct errors err;
    errors_init(&err);
    int64_t id = 0;
    struct desk_outcome out;
    int rc = desk_case_create(&c, &in, &err, &id);
    if (rc != TD_OK) goto out;
    /* As the associate would: accept the recommendation (decided once, inside
     * the resolve). Store credit with no known price cannot be accepted as
     * it is (the check refuses before writing anything): decline instead. */
    struct desk_resolve_in rin = {.accept = true};
    if (pc->walk_in) {
        rc = db_run(g->db, "INSERT INTO demo_walk_ins (case_id, person, label) VALUES (?, ?, ?)", NULL, "iit", id,
                    pc->walk_in, role_labels[pc->label]);
        if (rc != TD_OK) goto out;
    }
    rc = desk_resolve(&c, lc, id, &rin, &err, &out);
    if (rc == TD_E_INVALID && err.n == 1 && strcmp(err.item[0].field, "amount_cents") == 0) {
        errors_init(&err);
        rin = (struct desk_resolve_in){.resolution = POLICY_RES_DECLINE,
                                       .override_reason = "Geen recente verkoopprijs bekend; de klant komt terug met de kassabon."};
        rc = desk_resolve(&c, lc, id, &rin, &err, &out);
    }
    if (rc != TD_OK) goto out;
    g->sum->cases++;
    if (strcmp(out.status, "awaiting_approval") == 0) {
        c.now_us += 5 * 60 * US;
        c.actor = (struct actor){g->manager_ids[pc->store], ROLE_MANAGER, g->store_ids[pc->store]};
        rc = desk_approve(&c, lc, id, NULL, &err, &out);
        g->sum->approvals++;
    }
out:
    /* A refusal here is the generator's bug, not bad input: say so. */
    if (rc == TD_E_INVALID || rc == TD_E_FORBIDDEN || rc == TD_E_CONFLICT) {
        char who[32];
        snprintf(who, sizeof who, "%lld", (long long)pc->customer_id);
        log_msg(LOG_ERROR, "demo case refused", "customer", who, "field", err.n ? err.item[0].field : "",
                "problem", err.n ? err.item[0].problem : err.message, NULL);
        rc = TD_E_INTERNAL;
    }
    return rc;
}

/* The start of the case history: purchases are counted into the
 * aggregates as facts_add_receipts(db, first, last, history_start_us(g))
 * would, so the day windows of its first cases see the purchases before
 * them. */
static int64_t history_start_us(const struct gen *g)
{
    return ((g->cal.first_day + CASE_FIRST_DAY) * DAY_S - 7200) * US;
}

int64_t demo_history_start_us(int64_t end_us)
{
    int64_t end_s = end_us / US;
    int64_t first_day = (end_s + clock_amsterdam_offset(end_s)) / DAY_S - HISTORY_DAYS;   /* as calendar_init */
    return ((first_day + CASE_FIRST_DAY) * DAY_S - 7200) * US;
}

/* The chain-wide aggregates the producer counted: lowest prices per product
 * and day, purchases per category and day. (customer_facts and
 * customer_days went in with each chunk.) */
static int write_chain_facts(struct gen *g)
{
    struct day_row *rows = malloc(65536 * sizeof *rows);
    if (!rows) return TD_E_NOMEM;
    int rc = TD_OK;
    size_t n = 0;
    for (int64_t p = 0; p < g->nproducts && rc == TD_OK; p++) {
        for (int64_t d = 0; d < g->nprice_days && rc == TD_OK; d++) {
            int64_t m = g->price_min[p * g->nprice_days + d];
            if (!m) continue;
            rows[n++] = (struct day_row){p + 1, g->price_day0 + d, m};
            if (n == 65536) {
                rc = write_rows(g->db, &T_PRICES, rows, n);
                n = 0;
            }
        }
    }
    if (rc == TD_OK) rc = write_rows(g->db, &T_PRICES, rows, n);
    free(rows);
    for (int k = 0; k < NCATEGORIES && rc == TD_OK; k++)
        for (int64_t d = 0; d < g->ncat_days && rc == TD_OK; d++)
            if (g->cat_days[k * g->ncat_days + d])
                rc = db_run(g->db, "INSERT INTO category_days (category, day, purchases) VALUES (?, ?, ?)", NULL, "tii",
                            categories[k], g->cat_day0 + d, g->cat_days[k * g->ncat_days + d]);
    return rc;
}

/* Counts the purchases into the aggregates, replays the planned cases in
 * time order and writes the abusers' labels. */
static int run_history(struct gen *g)
{
    int rc = write_chain_facts(g);
    if (rc == TD_OK) rc = load_staff_ids(g);
    if (rc != TD_OK) return rc;
    if (g->nplan) qsort(g->plan, g->nplan, sizeof *g->plan, cmp_plan);   /* plan is NULL when empty */
    struct ledger_config lc = {.validity_us = 730 * DAY_S * US, .associate_limit_cents = 50000};
    for (size_t i = 0; i < g->nplan && rc == TD_OK; i++) {
        rc = run_case(g, &g->plan[i], &lc);
        if (g->cfg->progress && ((i + 1) % 1024 == 0 || i + 1 == g->nplan))
            g->cfg->progress(g->cfg->progress_arg, "cases", (long long)(i + 1), (long long)g->nplan);
    }
    for (size_t i = 0; i < g->nlabels && rc == TD_OK; i++) {
        rc = db_run(g->db, "INSERT INTO demo_labels (customer_id, label, person) VALUES (?, ?, ?)", NULL, "iti",
                    g->labels[i].customer_id, g->labels[i].label, g->labels[i].person);
        g->sum->abusers += strncmp(g->labels[i].label, "honest", 6) != 0;
    }
    return rc;
}

static void gen_free(struct gen *g)
{
    buf_free(&g->terms);
    buf_free(&g->search_text);
    free(g->products);
    for (int c = 0; c < NCATEGORIES; c++) free(g->by_category[c]);
    free(g->term_list);
    free(g->plan);
    free(g->labels);
    free(g->person);
    free(g->price_min);
    free(g->cat_days);
    free(g->mailboxes);
    free(g->key_list);
    sodium_memzero(g->secret, sizeof g->secret);
    for (size_t i = 0; i < g->npools; i++) free(g->pools[i]);
    free(g->pools);
    for (int i = 0; i < NCHUNKS; i++) chunk_free(g->pipe.all[i]);
    pthread_mutex_destroy(&g->pipe.mu);
    pthread_cond_destroy(&g->pipe.cv);
}

int demo_check_empty(struct db *db, int64_t *stores, int64_t *staff, int64_t *customers)
{
    *stores = *staff = *customers = 0;
    int rc = db_query_int64(db, "SELECT COUNT(*) FROM stores", stores);
    if (rc == TD_OK) rc = db_query_int64(db, "SELECT COUNT(*) FROM staff", staff);
    if (rc == TD_OK) rc = db_query_int64(db, "SELECT COUNT(*) FROM customers", customers);
    if (rc != TD_OK) return rc;
    return *stores || *staff || *customers ? TD_E_CONFLICT : TD_OK;
}

static int generate(struct gen *g)
{
    int rc;
    if ((rc = load_stores(g)) != TD_OK) return rc;
    if ((rc = load_staff(g)) != TD_OK) return rc;
    if ((rc = load_products(g)) != TD_OK) return rc;
    if (g->cfg->policy_json) {
        /* In force from before the history's first case. */
        struct dctx pc = {.db = g->db, .now_us = history_start_us(g) - DAY_S * US, .addr = "cli"};
        struct errors err;
        int64_t version = 0;
        errors_init(&err);
        if ((rc = policy_save(&pc, 0, g->cfg->policy_json, g->cfg->policy_len, &err, &version)) != TD_OK) {
            log_msg(LOG_ERROR, "demo policy refused", "field", err.n ? err.item[0].field : "", "problem",
                    err.n ? err.item[0].problem : err.message, NULL);
            return rc;
        }
    }
    /* The windows facts_add_receipts() would use as of the history's start. */
    int64_t start_day = history_start_us(g) / (DAY_S * US);
    g->days_from_us = (start_day - FACTS_PURCHASE_WINDOW_DAYS) * DAY_S * US;
    g->price_day0 = start_day - FACTS_PRICE_KEEP_DAYS;
    g->nprice_days = g->cfg->end_us / (DAY_S * US) - g->price_day0 + 1;
    if (!(g->price_min = calloc((size_t)(g->nproducts * g->nprice_days), sizeof *g->price_min))) return TD_E_NOMEM;
    g->cat_day0 = start_day - FACTS_KEEP_DAYS;
    g->ncat_days = g->cfg->end_us / (DAY_S * US) - g->cat_day0 + 1;
    if (!(g->cat_days = calloc((size_t)(NCATEGORIES * g->ncat_days), sizeof *g->cat_days))) return TD_E_NOMEM;
    for (g->mailbox_cap = 1024; g->mailbox_cap < (size_t)g->cfg->customers * 2; g->mailbox_cap *= 2) {}
    if (!(g->mailboxes = calloc(g->mailbox_cap, sizeof *g->mailboxes))) return TD_E_NOMEM;
    if ((rc = identity_secret(g->db, g->cfg->end_us, 1, g->secret)) != TD_OK) return rc;
    if ((rc = load_customers(g)) != TD_OK) return rc;
    if ((rc = run_history(g)) != TD_OK) return rc;
    struct dctx c = { .db = g->db, .now_us = g->cfg->end_us, .addr = "cli" };
    char detail[128];
    snprintf(detail, sizeof detail, "seed=%llu customers=%lld", (unsigned long long)g->cfg->seed,
             (long long)g->cfg->customers);
    return domain_audit(&c, "demo.generate", "database", detail);
}

int demo_generate(struct db *db, const struct demo_config *cfg, struct demo_summary *out)
{
    memset(out, 0, sizeof *out);
    if (cfg->customers < 1 || cfg->customers > DEMO_MAX_CUSTOMERS || !cfg->password_hash) return TD_E_INVALID;
    struct gen *g = calloc(1, sizeof *g);
    if (!g) return TD_E_NOMEM;
    g->db = db;
    g->cfg = cfg;
    g->sum = out;
    if (!(g->person = calloc(1, sizeof *g->person))) {
        free(g);
        return TD_E_NOMEM;
    }
    g->next_receipt_id = 1;
    /* Loyalty numbers keep 8 digits of sequence: steps shrink for big runs. */
    g->loyalty_step = 90000000 / cfg->customers;
    if (g->loyalty_step > 40) g->loyalty_step = 40;
    if (g->loyalty_step < 1) g->loyalty_step = 1;
    g->loyalty_seq = 1000000;
    buf_init(&g->terms, 8192);
    buf_init(&g->search_text, SEARCH_TEXT_SZ - 1);
    calendar_init(&g->cal, cfg->end_us);
    pthread_mutex_init(&g->pipe.mu, NULL);
    pthread_cond_init(&g->pipe.cv, NULL);
    int rc = db_begin(db, 1);
    if (rc == TD_OK) {
        rc = generate(g);
        if (rc == TD_OK) rc = db_commit(db);
        if (rc != TD_OK) db_rollback(db);
    }
    gen_free(g);
    free(g);
    if (rc != TD_OK) memset(out, 0, sizeof *out);
    return rc;
}
