-- 0015_advocacy.sql — the staff half of feedback (docs/feedback.md): the
-- anonymous staff survey run by head office, the secrets board built from
-- its answers, value cards for the desk, and quizzes drawn from the cards.
--
-- Anonymity is kept by what is NOT stored: an answer has no staff id, no
-- session, no time of day and no sequential id (its key is random, so the
-- order of rows tells nothing about who answered when); the browser nonce
-- that refuses a second answer lives in a table of its own with nothing that
-- ties it to the answer.

-- A round of the staff survey, run by head office.
CREATE TABLE staff_rounds (
    id          @ID@,
    name        TEXT NOT NULL,
    categories  TEXT NOT NULL DEFAULT '',   -- the departments an answer may name, one a line
    opens_at    BIGINT NOT NULL,
    closes_at   BIGINT NOT NULL,
    created_by  BIGINT REFERENCES staff(id),
    created_at  BIGINT NOT NULL,
    CHECK (closes_at > opens_at)
);

-- One shared link per round and store: only the hash of its random token.
CREATE TABLE staff_round_links (
    token_hash  TEXT PRIMARY KEY,
    round_id    BIGINT NOT NULL REFERENCES staff_rounds(id),
    store_id    BIGINT NOT NULL REFERENCES stores(id),
    UNIQUE (round_id, store_id)
);

-- An anonymous answer: the store of the link, the day (UTC days since
-- 1970), the score and two texts; the optional department the respondent
-- names (category, folded in category_key; '' when not given).
CREATE TABLE staff_answers (
    id            TEXT PRIMARY KEY,
    round_id      BIGINT NOT NULL REFERENCES staff_rounds(id),
    store_id      BIGINT NOT NULL REFERENCES stores(id),
    day           BIGINT NOT NULL,
    category      TEXT NOT NULL DEFAULT '',
    category_key  TEXT NOT NULL DEFAULT '',
    score         BIGINT NOT NULL CHECK (score BETWEEN 0 AND 10),
    why           TEXT NOT NULL DEFAULT '',
    secret        TEXT NOT NULL DEFAULT ''
) @WITHOUT_ROWID@;
CREATE INDEX staff_answers_round ON staff_answers (round_id, store_id, category_key);

-- The hash of each browser's nonce per round: a second answer from the same
-- browser is refused (primary key), and nothing links it to its answer.
CREATE TABLE staff_answer_nonces (
    round_id    BIGINT NOT NULL REFERENCES staff_rounds(id),
    nonce_hash  TEXT NOT NULL,
    PRIMARY KEY (round_id, nonce_hash)
) @WITHOUT_ROWID@;

-- The secrets board: every folded word of a "what don't customers know"
-- answer; a theme is a set of words (merging moves words), shown or not as a
-- moderator decides.
CREATE TABLE secret_words (
    word       TEXT NOT NULL,
    answer_id  TEXT NOT NULL REFERENCES staff_answers(id),
    PRIMARY KEY (word, answer_id)
) @WITHOUT_ROWID@;
CREATE TABLE secret_themes (
    id           @ID@,
    label        TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'shown', 'hidden', 'merged')),
    merged_into  BIGINT REFERENCES secret_themes(id),
    updated_by   BIGINT REFERENCES staff(id),
    updated_at   BIGINT NOT NULL
);
CREATE TABLE secret_theme_words (
    word      TEXT PRIMARY KEY,
    theme_id  BIGINT NOT NULL REFERENCES secret_themes(id)
);
CREATE INDEX secret_theme_words_theme ON secret_theme_words (theme_id);

-- A value card: a claim for a category (category_key '' for all), in Dutch
-- and English, optionally against a competitor; shown at the desk only while
-- verified and not overdue (verified_at set and check_by in the future).
CREATE TABLE value_cards (
    id            @ID@,
    category      TEXT NOT NULL DEFAULT '',
    category_key  TEXT NOT NULL DEFAULT '',
    claim_nl      TEXT NOT NULL,
    claim_en      TEXT NOT NULL,
    competitor    TEXT NOT NULL DEFAULT '',
    theme_id      BIGINT REFERENCES secret_themes(id),
    verifier_id   BIGINT NOT NULL REFERENCES staff(id),
    verified_at   BIGINT,
    check_days    BIGINT NOT NULL DEFAULT 90 CHECK (check_days BETWEEN 1 AND 366),
    check_by      BIGINT,
    retired_at    BIGINT,
    created_by    BIGINT REFERENCES staff(id),
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX value_cards_category ON value_cards (category_key, check_by);

-- A quiz question drawn from a card: three answers, one right.
CREATE TABLE quiz_questions (
    id            @ID@,
    card_id       BIGINT NOT NULL REFERENCES value_cards(id),
    question      TEXT NOT NULL,
    answer_0      TEXT NOT NULL,
    answer_1      TEXT NOT NULL,
    answer_2      TEXT NOT NULL,
    right_answer  BIGINT NOT NULL CHECK (right_answer BETWEEN 0 AND 2),
    created_by    BIGINT REFERENCES staff(id),
    created_at    BIGINT NOT NULL
);
CREATE INDEX quiz_questions_card ON quiz_questions (card_id);

-- An associate's latest answer to a question: their knowledge score.
CREATE TABLE quiz_answers (
    staff_id     BIGINT NOT NULL REFERENCES staff(id),
    question_id  BIGINT NOT NULL REFERENCES quiz_questions(id),
    choice       BIGINT NOT NULL CHECK (choice BETWEEN 0 AND 2),
    correct      BIGINT NOT NULL CHECK (correct IN (0, 1)),
    at           BIGINT NOT NULL,
    PRIMARY KEY (staff_id, question_id)
) @WITHOUT_ROWID@;

-- The card the desk showed with a case, and what the customer then did.
CREATE TABLE case_value_cards (
    case_id      BIGINT PRIMARY KEY REFERENCES cases(id),
    customer_id  BIGINT REFERENCES customers(id),
    card_id      BIGINT NOT NULL REFERENCES value_cards(id),
    outcome      TEXT NOT NULL CHECK (outcome IN ('undecided', 'stayed', 'went_elsewhere')),
    shown_by     BIGINT REFERENCES staff(id),
    shown_at     BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX case_value_cards_card ON case_value_cards (card_id);
