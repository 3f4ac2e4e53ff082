/* api_survey.c — /api/v1/surveys/{token}: the customer's one question, a
 * small public page that works on a phone without login or script.
 *
 * GET shows the question (0-10, an optional comment) in the customer's
 * language; POST (the page's form, application/x-www-form-urlencoded:
 * score, comment) records the answer and thanks them. An answer may be
 * changed within a day (the page says so), never after. A forged link is a
 * 404 page, an expired one 410, a bad score or an oversized comment the
 * form again with the problem beside its field (422), an answer after the
 * day a 409 page — each in Dutch or English, nothing stored. */
#include "api/handlers.h"
#include "api/html.h"
#include "core/text.h"
#include "domain/clienteling_mail.h"
#include "domain/followup.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char css[] =
    "body{font-family:system-ui,sans-serif;margin:0;background:#f6f5f2;color:#1d1d1b;font-size:1.05rem}"
    "main{max-width:36rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:8px;"
    "box-shadow:0 1px 3px rgba(0,0,0,.12)}@media(max-width:38rem){main{margin:.75rem}}"
    "h1{font-size:1.4rem;margin:0 0 1rem}p{line-height:1.5}fieldset{border:0;padding:0;margin:0 0 1rem}"
    "legend{font-weight:600;margin-bottom:.75rem;line-height:1.4}"
    ".scale{display:grid;grid-template-columns:repeat(11,1fr);gap:.25rem}"
    "@media(max-width:30rem){.scale{grid-template-columns:repeat(6,1fr)}}"
    ".scale label{display:flex;align-items:center;justify-content:center;min-height:44px;border:2px solid #8a8a85;"
    "border-radius:6px;font-weight:600;cursor:pointer}"
    ".scale input{position:absolute;opacity:0;width:1px;height:1px}"
    ".scale input:checked+label{background:#1d4e89;border-color:#1d4e89;color:#fff}"
    ".scale input:focus-visible+label{outline:3px solid #f0b400;outline-offset:2px}"
    ".ends{display:flex;justify-content:space-between;font-size:.9rem;color:#4a4a46;margin-top:.35rem}"
    "label.comment{display:block;font-weight:600;margin:1rem 0 .35rem}"
    "textarea{width:100%;box-sizing:border-box;font:inherit;padding:.5rem;border:2px solid #8a8a85;border-radius:6px}"
    ".problem{color:#a4161a;font-weight:600;margin:.35rem 0}"
    "button{font:inherit;font-size:1.1rem;padding:.75rem 1.5rem;border:0;border-radius:6px;margin-top:1rem;"
    "background:#1d4e89;color:#fff;cursor:pointer;min-height:44px}button:focus{outline:3px solid #f0b400}"
    ".muted{color:#4a4a46;font-size:.95rem}";

struct words {
    const char *title, *question, *low, *high, *comment, *send, *change, *thanks_title, *thanks, *sorry,
        *answered_title, *answered, *expired_title, *expired, *bad_score, *bad_comment;
};
static const struct words nl = {
    "Eén vraag",
    "Hoe waarschijnlijk is het dat u %s aanbeveelt aan familie of vrienden?",
    "0 = zeer onwaarschijnlijk", "10 = zeer waarschijnlijk",
    "Wilt u iets toelichten? (niet verplicht)",
    "Versturen",
    "U kunt uw antwoord tot morgen nog wijzigen.",
    "Dank u wel!",
    "Uw antwoord is ontvangen. Fijn dat u de moeite nam.",
    "Het spijt ons dat het niet goed ging. De bedrijfsleider van %s neemt binnen twee dagen contact met u op.",
    "Al beantwoord",
    "U heeft deze vraag al beantwoord. Dank u wel!",
    "Deze link is verlopen",
    "De link in de mail werkt 30 dagen. Heeft u toch iets te zeggen? Kom gerust langs of bel de winkel.",
    "Kies een cijfer van 0 tot 10.",
    "Uw toelichting is te lang (hoogstens 1000 tekens).",
};
static const struct words en = {
    "One question",
    "How likely are you to recommend %s to family or friends?",
    "0 = not at all likely", "10 = extremely likely",
    "Anything you would like to add? (optional)",
    "Send",
    "You can change your answer until tomorrow.",
    "Thank you!",
    "Your answer has arrived. Thank you for taking the time.",
    "We are sorry it did not go well. The manager of %s will contact you within two days.",
    "Already answered",
    "You have already answered this question. Thank you!",
    "This link has expired",
    "The link in the mail works for 30 days. Still something to tell us? Drop by or call the store.",
    "Choose a number from 0 to 10.",
    "Your comment is too long (1000 characters at most).",
};

static const struct words *words_of(const char *lang)
{
    return lang && strcmp(lang, "en") == 0 ? &en : &nl;
}

/* A page with a title and one paragraph. */
static int notice(struct api_call *a, const char *lang, int status, const char *title, const char *text,
                  const char *name)
{
    char nonce[API_NONCE_SZ];
    struct buf *b = &a->r->out;
    int rc = api_html_begin(a, lang, title, css, 0, nonce);
    if (rc == TD_OK) rc = buf_puts(b, "<main><h1>");
    if (rc == TD_OK) rc = api_html_text(b, title);
    if (rc == TD_OK) rc = buf_puts(b, "</h1><p>");
    if (rc == TD_OK) rc = api_html_sentence(b, text, name);
    if (rc == TD_OK) rc = buf_puts(b, "</p></main>");
    return rc == TD_OK ? api_html_end(a, status) : rc;
}

static int not_valid(struct api_call *a, int rc)
{
    if (rc == TD_E_GONE)
        return notice(a, "nl", 410, "Deze link is verlopen / This link has expired", nl.expired, NULL);
    if (rc == TD_E_NOT_FOUND)
        return notice(a, "nl", 404, "Deze link klopt niet / This link is not valid",
                      "Controleer of u de hele link uit de mail heeft geopend. / Check that you opened the whole link "
                      "from the mail.", NULL);
    return rc;
}

/* The question, with the answer so far (score -1: none) and the problems
 * of a refused answer. */
static int form(struct api_call *a, const struct survey *s, int status, const char *comment, int bad_score,
                int bad_comment)
{
    const struct words *w = words_of(s->lang);
    struct cl_mail_site site;
    cl_mail_site_from_env(&site);
    char nonce[API_NONCE_SZ];
    struct buf *b = &a->r->out;
    int rc = api_html_begin(a, s->lang, w->title, css, API_HTML_FORMS, nonce);
    if (rc == TD_OK) rc = buf_puts(b, "<main><h1>");
    if (rc == TD_OK) rc = api_html_text(b, w->title);
    if (rc == TD_OK) rc = buf_puts(b, "</h1><form method=\"post\"><fieldset");
    if (rc == TD_OK && bad_score) rc = buf_puts(b, " aria-describedby=\"score-err\"");
    if (rc == TD_OK) rc = buf_puts(b, "><legend>");
    if (rc == TD_OK) rc = api_html_sentence(b, w->question, site.shop_name);
    if (rc == TD_OK) rc = buf_puts(b, "</legend><div class=\"scale\">");
    for (int i = 0; i <= 10 && rc == TD_OK; i++)
        rc = buf_printf(b, "<input type=\"radio\" name=\"score\" id=\"s%d\" value=\"%d\"%s><label for=\"s%d\">%d</label>", i,
                        i, s->score == i ? " checked" : "", i, i);
    if (rc == TD_OK) rc = buf_puts(b, "</div><div class=\"ends\" aria-hidden=\"true\"><span>");
    if (rc == TD_OK) rc = api_html_text(b, w->low);
    if (rc == TD_OK) rc = buf_puts(b, "</span><span>");
    if (rc == TD_OK) rc = api_html_text(b, w->high);
    if (rc == TD_OK) rc = buf_puts(b, "</span></div>");
    if (rc == TD_OK && bad_score) {
        rc = buf_puts(b, "<p class=\"problem\" id=\"score-err\" role=\"alert\">");
        if (rc == TD_OK) rc = api_html_text(b, w->bad_score);
        if (rc == TD_OK) rc = buf_puts(b, "</p>");
    }
    if (rc == TD_OK) rc = buf_puts(b, "</fieldset><label class=\"comment\" for=\"comment\">");
    if (rc == TD_OK) rc = api_html_text(b, w->comment);
    if (rc == TD_OK) rc = buf_printf(b, "</label><textarea id=\"comment\" name=\"comment\" rows=\"4\" maxlength=\"%d\"%s>",
                                     SURVEY_COMMENT_MAX, bad_comment ? " aria-describedby=\"comment-err\"" : "");
    if (rc == TD_OK) rc = api_html_text(b, comment ? comment : s->comment);
    if (rc == TD_OK) rc = buf_puts(b, "</textarea>");
    if (rc == TD_OK && bad_comment) {
        rc = buf_puts(b, "<p class=\"problem\" id=\"comment-err\" role=\"alert\">");
        if (rc == TD_OK) rc = api_html_text(b, w->bad_comment);
        if (rc == TD_OK) rc = buf_puts(b, "</p>");
    }
    if (rc == TD_OK && s->answered_at) {
        rc = buf_puts(b, "<p class=\"muted\">");
        if (rc == TD_OK) rc = api_html_text(b, w->change);
        if (rc == TD_OK) rc = buf_puts(b, "</p>");
    }
    if (rc == TD_OK) rc = buf_puts(b, "<button type=\"submit\">");
    if (rc == TD_OK) rc = api_html_text(b, w->send);
    if (rc == TD_OK) rc = buf_puts(b, "</button></form></main>");
    return rc == TD_OK ? api_html_end(a, status) : rc;
}

static int answered_long_ago(struct api_call *a, const struct survey *s)
{
    return s->first_answered_at && s->first_answered_at + SURVEY_CHANGE_US <= a->d.now_us;
}

int api_survey_page(struct api_call *a)
{
    struct survey *s = malloc(sizeof *s);
    if (!s) return TD_E_NOMEM;
    int rc = survey_open(&a->d, a->r->params[0], s);
    if (rc == TD_OK) {
        const struct words *w = words_of(s->lang);
        rc = answered_long_ago(a, s) ? notice(a, s->lang, 200, w->answered_title, w->answered, NULL) : form(a, s, 200, NULL, 0, 0);
    } else {
        rc = not_valid(a, rc);
    }
    free(s);
    return rc;
}

int api_survey_answer(struct api_call *a)
{
    struct survey *s = malloc(sizeof *s);
    char *comment = malloc(SURVEY_COMMENT_SZ * 3);
    if (!s || !comment) {
        free(s);
        free(comment);
        return TD_E_NOMEM;
    }
    char score_text[8] = "";
    const char *body = a->r->body.data ? a->r->body.data : "";
    size_t len = a->r->body.len;
    int64_t score = -1;
    int rc_score = text_form_value(body, len, "score", score_text, sizeof score_text);
    if (rc_score != TD_OK || text_parse_int64(score_text, &score) != TD_OK) score = -1;
    int rc_comment = text_form_value(body, len, "comment", comment, SURVEY_COMMENT_SZ * 3);
    if (rc_comment == TD_E_NOT_FOUND) comment[0] = '\0';
    int64_t followup = 0;
    int rc = survey_open(&a->d, a->r->params[0], s);
    if (rc == TD_OK && rc_comment == TD_E_INVALID) {
        rc = form(a, s, 422, "", score < 0 || score > 10, 1);       /* nothing recorded */
    } else if (rc == TD_OK) {
        const struct words *w = words_of(s->lang);
        rc = followup_answer(&a->d, a->r->params[0], (int)(score < 0 || score > 10 ? -1 : score), comment, &a->err, s,
                             &followup);
        if (rc == TD_OK)
            rc = s->score <= FOLLOWUP_UNHAPPY_MAX ? notice(a, s->lang, 200, w->thanks_title, w->sorry, s->store_name)
                                                   : notice(a, s->lang, 200, w->thanks_title, w->thanks, NULL);
        else if (rc == TD_E_CONFLICT)
            rc = notice(a, s->lang, 409, w->answered_title, w->answered, NULL);
        else if (rc == TD_E_INVALID) {
            int bad_comment = 0;
            for (size_t i = 0; i < a->err.n; i++) bad_comment |= strcmp(a->err.item[i].field, "comment") == 0;
            errors_init(&a->err);
            rc = survey_open(&a->d, a->r->params[0], s);          /* the answer so far, not the refused one */
            if (rc == TD_OK) rc = form(a, s, 422, bad_comment ? "" : comment, score < 0 || score > 10, bad_comment);
        }
    } else {
        rc = not_valid(a, rc);
    }
    free(s);
    free(comment);
    return rc;
}
