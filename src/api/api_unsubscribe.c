/* api_unsubscribe.c — /api/v1/unsubscribe/{token}: the link in every
 * marketing mail (List-Unsubscribe, RFC 8058), open without a login.
 *
 * GET shows a page with one button and changes nothing: mail scanners and
 * link previews follow links. POST — the button, or a mail client's
 * one-click "List-Unsubscribe=One-Click" — withdraws e-mail consent at
 * once, recorded as a consent event with source "unsubscribe link". The
 * pages speak the customer's language and name nobody: a forwarded mail's
 * link shows no personal data. An unknown token is a 404 page in Dutch and
 * English. */
#include "api/handlers.h"
#include "api/html.h"
#include "domain/clienteling_mail.h"
#include <string.h>

static const char css[] =
    "body{font-family:system-ui,sans-serif;margin:0;background:#f6f5f2;color:#1d1d1b}"
    "main{max-width:34rem;margin:3rem auto;padding:2rem;background:#fff;border-radius:8px;"
    "box-shadow:0 1px 3px rgba(0,0,0,.12)}@media(max-width:36rem){main{margin:1rem}}"
    "h1{font-size:1.5rem;margin:0 0 1rem}p{line-height:1.5}"
    "button{font:inherit;font-size:1.1rem;padding:.75rem 1.5rem;border:0;border-radius:6px;"
    "background:#1d4e89;color:#fff;cursor:pointer;min-height:44px}button:focus{outline:3px solid #f0b400}";

struct words {
    const char *title, *ask, *button, *done_title, *done, *gone_title;
};
static const struct words nl = {
    "Afmelden", "Wilt u geen persoonlijke berichten over nieuwe collecties meer per e-mail ontvangen van %s?",
    "Ja, meld mij af", "U bent afgemeld",
    "U ontvangt van %s geen persoonlijke berichten over collecties meer per e-mail. Berichten over uw aankopen en "
    "tegoedbonnen blijven komen.",
    "Deze link is niet (meer) geldig"};
static const struct words en = {
    "Unsubscribe", "Would you rather not receive personal e-mails about new collections from %s?",
    "Yes, unsubscribe me", "You are unsubscribed",
    "%s will no longer e-mail you personally about collections. Messages about your purchases and credit notes "
    "still come.",
    "This link is not (or no longer) valid"};

static int page(struct api_call *a, const char *lang, int done)
{
    const struct words *w = strcmp(lang, "en") == 0 ? &en : &nl;
    struct cl_mail_site site;
    cl_mail_site_from_env(&site);
    char nonce[API_NONCE_SZ];
    struct buf *b = &a->r->out;
    int rc = api_html_begin(a, lang, done ? w->done_title : w->title, css, API_HTML_FORMS, nonce);
    if (rc == TD_OK) rc = buf_puts(b, "<main><h1>");
    if (rc == TD_OK) rc = api_html_text(b, done ? w->done_title : w->title);
    if (rc == TD_OK) rc = buf_puts(b, "</h1><p>");
    if (rc == TD_OK) rc = api_html_sentence(b, done ? w->done : w->ask, site.shop_name);
    if (rc == TD_OK) rc = buf_puts(b, "</p>");
    if (rc == TD_OK && !done) {
        /* The form posts to this same address (form-action 'self'). */
        rc = buf_puts(b, "<form method=\"post\"><input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">"
                         "<button type=\"submit\">");
        if (rc == TD_OK) rc = api_html_text(b, w->button);
        if (rc == TD_OK) rc = buf_puts(b, "</button></form>");
    }
    if (rc == TD_OK) rc = buf_puts(b, "</main>");
    return rc == TD_OK ? api_html_end(a, 200) : rc;
}

static int not_found(struct api_call *a)
{
    char nonce[API_NONCE_SZ];
    struct buf *b = &a->r->out;
    int rc = api_html_begin(a, "nl", "Afmelden / Unsubscribe", css, 0, nonce);
    if (rc == TD_OK) rc = buf_printf(b, "<main><h1>%s</h1><p lang=\"en\">%s.</p></main>", nl.gone_title, en.gone_title);
    return rc == TD_OK ? api_html_end(a, 404) : rc;
}

int api_unsubscribe_page(struct api_call *a)
{
    int64_t customer_id;
    char lang[3];
    int rc = cl_unsubscribe_lookup(&a->d, a->r->params[0], &customer_id, lang);
    if (rc == TD_E_NOT_FOUND) return not_found(a);
    if (rc != TD_OK) return rc;
    return page(a, lang, 0);
}

int api_unsubscribe_post(struct api_call *a)
{
    int64_t customer_id;
    char lang[3];
    int rc = cl_unsubscribe_lookup(&a->d, a->r->params[0], &customer_id, lang);
    if (rc == TD_E_NOT_FOUND) return not_found(a);
    if (rc == TD_OK) rc = cl_unsubscribe(&a->d, a->r->params[0]);
    if (rc != TD_OK) return rc;
    a->customer_id = customer_id;
    return page(a, lang, 1);
}
