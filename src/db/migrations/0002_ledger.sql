-- 0002_ledger.sql — credit notes (tegoedbonnen) and their double-entry ledger.
-- Money is BIGINT cents. Entries use the debit-positive convention: the
-- entries of one transaction sum to zero; a note's liability entries sum to
-- minus its balance.

CREATE TABLE ledger_accounts (
    code    TEXT PRIMARY KEY,
    name    TEXT NOT NULL,
    normal  TEXT NOT NULL CHECK (normal IN ('debit', 'credit'))
);
INSERT INTO ledger_accounts (code, name, normal) VALUES
    ('credit_note_liability', 'Credit notes outstanding', 'credit'),
    ('goodwill_expense', 'Goodwill given as store credit', 'debit'),
    ('refunds_clearing', 'Refunds paid as store credit', 'debit'),
    ('till_clearing', 'Credit notes taken at the till', 'credit'),
    ('breakage_income', 'Expired credit notes', 'credit');

CREATE TABLE credit_notes (
    id              @ID@,
    code_hash       TEXT NOT NULL UNIQUE,      -- the code itself is never stored
    code_hint       TEXT NOT NULL,             -- its last four characters
    customer_id     BIGINT REFERENCES customers(id),
    case_id         BIGINT,
    store_id        BIGINT REFERENCES stores(id),
    reason          TEXT NOT NULL,
    funding         TEXT NOT NULL CHECK (funding IN ('goodwill', 'refund', 'reissue')),
    amount_cents    BIGINT NOT NULL CHECK (amount_cents > 0),
    balance_cents   BIGINT NOT NULL CHECK (balance_cents >= 0),
    status          TEXT NOT NULL CHECK (status IN ('issued', 'partly_used', 'used', 'void', 'expired', 'reissued')),
    issued_at       BIGINT NOT NULL,
    issued_by       BIGINT REFERENCES staff(id),
    expires_at      BIGINT NOT NULL,
    closed_at       BIGINT,
    replaces_id     BIGINT REFERENCES credit_notes(id),
    replaced_by_id  BIGINT REFERENCES credit_notes(id),
    CHECK (balance_cents <= amount_cents)
);
CREATE INDEX credit_notes_customer ON credit_notes (customer_id);
CREATE INDEX credit_notes_open_expiry ON credit_notes (expires_at) WHERE balance_cents > 0;

CREATE TABLE ledger_transactions (
    id              @ID@,
    credit_note_id  BIGINT NOT NULL REFERENCES credit_notes(id),
    kind            TEXT NOT NULL CHECK (kind IN ('issue', 'redeem', 'void', 'expire', 'reissue')),
    amount_cents    BIGINT NOT NULL CHECK (amount_cents > 0),
    at              BIGINT NOT NULL,
    staff_id        BIGINT REFERENCES staff(id),
    store_id        BIGINT REFERENCES stores(id),
    till_reference  TEXT,
    reason          TEXT,
    address         TEXT
);
CREATE INDEX ledger_transactions_note ON ledger_transactions (credit_note_id, id);

CREATE TABLE ledger_entries (
    id              @ID@,
    transaction_id  BIGINT NOT NULL REFERENCES ledger_transactions(id),
    account         TEXT NOT NULL REFERENCES ledger_accounts(code),
    credit_note_id  BIGINT REFERENCES credit_notes(id),
    amount_cents    BIGINT NOT NULL CHECK (amount_cents <> 0)
);
CREATE INDEX ledger_entries_tx ON ledger_entries (transaction_id);
CREATE INDEX ledger_entries_note ON ledger_entries (credit_note_id);

-- A request that moves money, remembered by its Idempotency-Key: the same
-- key and body get the stored answer. Kept at least 7 days.
CREATE TABLE idempotency_keys (
    scope         TEXT NOT NULL,
    idem_key      TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    status        BIGINT NOT NULL,
    response      TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (scope, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

ALTER TABLE audit_log ADD COLUMN address TEXT;

-- Ledger rows are append-only, enforced by the database itself.
-- @backend sqlite
CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
CREATE TRIGGER ledger_transactions_no_update BEFORE UPDATE ON ledger_transactions
BEGIN SELECT RAISE(ABORT, 'ledger transactions are append-only'); END;
CREATE TRIGGER ledger_transactions_no_delete BEFORE DELETE ON ledger_transactions
BEGIN SELECT RAISE(ABORT, 'ledger transactions are append-only'); END;
-- @backend postgres
CREATE FUNCTION td_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION td_append_only();
CREATE TRIGGER ledger_transactions_append_only BEFORE UPDATE OR DELETE ON ledger_transactions
    FOR EACH ROW EXECUTE FUNCTION td_append_only();
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION td_append_only();
CREATE TRIGGER ledger_transactions_no_truncate BEFORE TRUNCATE ON ledger_transactions
    FOR EACH STATEMENT EXECUTE FUNCTION td_append_only();
-- @backend all
