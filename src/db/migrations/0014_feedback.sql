-- 0014_feedback.sql — the customer's one question after a case, and the
-- closed loop that puts an unhappy answer right (docs/feedback.md).

-- One survey per case and round: round 1 when the case is resolved, round
-- 2, 3, … after each recovery of its follow-up. The link is signed (a key
-- derived from identity_secret) and names the survey and its expiry, so no
-- token is stored. score and comment are the last answer; first_answered_at
-- is when the first came (an answer may be changed within a day).
CREATE TABLE surveys (
    id                 @ID@,
    case_id            BIGINT NOT NULL REFERENCES cases(id),
    round              BIGINT NOT NULL CHECK (round >= 1),
    customer_id        BIGINT NOT NULL REFERENCES customers(id),
    store_id           BIGINT NOT NULL REFERENCES stores(id),
    lang               TEXT NOT NULL CHECK (lang IN ('nl', 'en')),
    sent_at            BIGINT NOT NULL,
    expires_at         BIGINT NOT NULL,
    score              BIGINT CHECK (score BETWEEN 0 AND 10),
    comment            TEXT,
    first_answered_at  BIGINT,
    answered_at        BIGINT,
    UNIQUE (case_id, round)
);
CREATE INDEX surveys_customer ON surveys (customer_id, sent_at);
CREATE INDEX surveys_answered ON surveys (answered_at, store_id);

-- The reasons a follow-up can be closed with that the chain added to the
-- built-in list (domain/followup.c): nothing here until an admin adds one,
-- so a copy of the database carries exactly what the chain made.
CREATE TABLE root_causes (
    code        TEXT PRIMARY KEY,
    nl          TEXT NOT NULL,
    en          TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

-- A follow-up of an unhappy answer: one per case, opened by the first
-- answer of 6 or lower, reopened by an unhappy answer after its recovery.
-- assignee_id NULL: the store's managers. The clock runs through weekends.
CREATE TABLE followups (
    id                 @ID@,
    case_id            BIGINT NOT NULL UNIQUE REFERENCES cases(id),
    survey_id          BIGINT NOT NULL REFERENCES surveys(id),
    store_id           BIGINT NOT NULL REFERENCES stores(id),
    customer_id        BIGINT NOT NULL REFERENCES customers(id),
    assignee_id        BIGINT REFERENCES staff(id),
    status             TEXT NOT NULL CHECK (status IN ('open', 'contacted', 'closed')),
    opened_at          BIGINT NOT NULL,
    due_at             BIGINT NOT NULL,
    first_contact_at   BIGINT,
    closed_at          BIGINT,
    closed_by          BIGINT REFERENCES staff(id),
    root_cause         TEXT,                                  -- a built-in code or one of root_causes
    action             TEXT,
    recovery           TEXT CHECK (recovery IN ('call', 'credit_note', 'repair', 'none')),
    credit_note_id     BIGINT REFERENCES credit_notes(id),
    reopened           BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX followups_store ON followups (store_id, status, due_at);

-- What happened on a follow-up, in order: opened, assigned, contacted
-- (with a note), closed, reopened.
CREATE TABLE followup_events (
    id           @ID@,
    followup_id  BIGINT NOT NULL REFERENCES followups(id),
    at           BIGINT NOT NULL,
    staff_id     BIGINT REFERENCES staff(id),
    action       TEXT NOT NULL,
    note         TEXT
);
CREATE INDEX followup_events_followup ON followup_events (followup_id, at);
