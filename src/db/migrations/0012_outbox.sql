-- 0012_outbox.sql — the mail outbox (src/mail/, docs/mail.md). A message is
-- written in the same transaction as the change it tells of, and sent by
-- the sender afterwards; a row is the message and its delivery state:
--
--   due      sent_at and failed_at NULL, next_attempt_at <= now
--   claimed  a sender moved next_attempt_at a lease ahead and counted the
--            attempt (mail_claim); it sends, then:
--   sent     sent_at set once the SMTP server accepted it (mail_mark_sent)
--   retry    next_attempt_at moved by the back-off, last_error kept
--   failed   failed_at set after the last attempt allowed; the row stays
--
-- customer_id names the customer the mail is for (NULL for staff mail):
-- erasing the customer deletes their rows (mail_forget_customer).
CREATE TABLE mail_outbox (
    id               @ID@,
    customer_id      BIGINT REFERENCES customers(id) DEFERRABLE INITIALLY IMMEDIATE,
    kind             TEXT NOT NULL CHECK (kind IN ('transactional', 'marketing')),
    message_id       TEXT NOT NULL UNIQUE,
    mail_from        TEXT NOT NULL,
    from_name        TEXT,
    rcpt_to          TEXT NOT NULL,
    subject          TEXT NOT NULL,
    body_text        TEXT NOT NULL,
    body_html        TEXT,
    lang             TEXT NOT NULL,
    unsubscribe_url  TEXT,
    created_at       BIGINT NOT NULL,
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    sent_at          BIGINT,
    failed_at        BIGINT,
    last_error       TEXT,
    CHECK (kind = 'transactional' OR unsubscribe_url IS NOT NULL)
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX mail_outbox_customer ON mail_outbox (customer_id) WHERE customer_id IS NOT NULL;
