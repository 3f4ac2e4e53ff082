/* api_session.c — logging in and out (here or everywhere), and who am I.
 * See domain/staff.h for a session's life. */
#include "api/handlers.h"
#include "core/log.h"
#include "db/db.h"
#include <stdio.h>
#include <string.h>


static int set_cookie(struct api_call *a, const char *token, int max_age)
{
    char *c = arena_printf(&a->r->arena, "td_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s",
                           token, max_age, a->app->secure_cookies ? "; Secure" : "");
    return c ? http_add_header(a->r, "Set-Cookie", c) : TD_E_NOMEM;
}

int api_session_create(struct api_call *a)
{
    static const struct api_field fields[] = {
        {"login", AT_STRING, 1, 64}, {"password", AT_STRING, 1, 1024}, {0},
    };
    json_t *b = NULL;
    int rc = api_body_valid(a, fields, &b);
    if (rc != TD_OK) return rc;
    char token[TOKEN_HEX_LEN + 1], csrf[TOKEN_HEX_LEN + 1];
    struct staff s;
    rc = staff_login(&a->d, api_str(b, "login"), api_str(b, "password"), http_cookie(a->r, "td_session"), &s, token,
                     csrf, &a->retry_after_s);
    /* Every login, refused or not, leaves an audit row with the login typed
     * and the address (never the password); a failure to write it is logged,
     * it does not stop the desk from logging in. */
    const char *what = rc == TD_OK ? "session.login" : rc == TD_E_UNAUTHORIZED ? "session.login_failed"
                     : rc == TD_E_RATE_LIMITED ? "session.login_throttled" : NULL;
    if (what) {
        /* A login name that is no account's is not written down: it may be a
         * password typed into the wrong field. */
        int64_t known = 1;
        if (rc != TD_OK && db_get_int64(a->d.db, "SELECT COUNT(*) FROM staff WHERE login = ?", &known, "t",
                                        api_str(b, "login")) != TD_OK)
            known = 0;
        if (rc == TD_OK) a->d.actor.staff_id = s.id;
        if (domain_audit(&a->d, what, known ? api_str(b, "login") : "(no such login)", NULL) != TD_OK)
            log_msg(LOG_WARN, "login audit row not written", "request_id", a->r->request_id, NULL);
        a->d.actor.staff_id = 0;
    }
    json_decref(b);
    if (rc == TD_E_UNAUTHORIZED) {
        errors_set_message(&a->err, "wrong login or password");
        return rc;
    }
    if (rc != TD_OK) return rc;
    if ((rc = set_cookie(a, token, (int)(SESSION_MAX_US / 1000000))) != TD_OK) return rc;
    json_t *o = json_pack("{s:o,s:s}", "user", api_staff_json(&s), "csrf_token", csrf);
    return api_reply_json(a, 201, o);
}

int api_session_delete(struct api_call *a)
{
    const char *cookie = http_cookie(a->r, "td_session");
    if (cookie) {
        int rc = staff_session_end(&a->d, cookie);
        if (rc != TD_OK) return rc;
    }
    int rc = set_cookie(a, "", 0);
    if (rc != TD_OK) return rc;
    return api_reply_json(a, 200, json_pack("{s:b}", "logged_out", 1));
}

int api_sessions_delete(struct api_call *a)
{
    int64_t ended = 0;
    int rc = staff_sessions_end_all(&a->d, a->me.id, &ended);
    if (rc != TD_OK) return rc;
    if ((rc = set_cookie(a, "", 0)) != TD_OK) return rc;
    return api_reply_json(a, 200, json_pack("{s:b,s:I}", "logged_out", 1, "sessions_ended", (json_int_t)ended));
}

/* The caller; with a live cookie session also its CSRF token. */
static int reply_me(struct api_call *a, int session_live)
{
    json_t *o = json_pack("{s:o}", "user", api_staff_json(&a->me));
    if (a->via_cookie && session_live) json_object_set_new(o, "csrf_token", json_string(a->csrf));
    return api_reply_json(a, 200, o);
}

int api_me_get(struct api_call *a) { return reply_me(a, 1); }

int api_me_patch(struct api_call *a)
{
    static const struct api_field fields[] = {
        {"lang", AT_STRING, 0, 2}, {"password", AT_STRING, 0, 1024}, {"current_password", AT_STRING, 0, 1024}, {0},
    };
    json_t *b = NULL;
    int rc = api_body_fields(a, fields, &b);
    if (rc != TD_OK) return rc;
    struct staff_input in = { .active = -1, .lang = api_str(b, "lang"), .password = api_str(b, "password") };
    if (in.password) {
        /* Changing one's own password needs the current one, with the
         * login's back-off: a stolen session may not guess it. */
        const char *cur = api_str(b, "current_password");
        rc = cur ? staff_password_check(&a->d, a->me.login, cur, &a->retry_after_s) : TD_E_UNAUTHORIZED;
        if (rc == TD_E_RATE_LIMITED) {
            json_decref(b);
            return rc;
        }
        if (rc == TD_E_UNAUTHORIZED) {
            errors_add(&a->err, "current_password", "is not your current password");
            a->commit_on_error = 1;        /* the failure counts */
        } else if (rc != TD_OK) {
            json_decref(b);
            return rc;
        }
    }
    if (a->err.n) {
        json_decref(b);
        return TD_E_INVALID;
    }
    rc = staff_update(&a->d, a->me.login, &in, &a->err);
    json_decref(b);
    if (rc != TD_OK) return rc;
    if ((rc = staff_get(&a->d, a->me.id, &a->me)) != TD_OK) return rc;
    /* A new password ended every session of the account, this one too
     * (staff_update): the answer says so by clearing the cookie. */
    if (in.password && a->via_cookie && (rc = set_cookie(a, "", 0)) != TD_OK) return rc;
    return reply_me(a, !in.password);
}
