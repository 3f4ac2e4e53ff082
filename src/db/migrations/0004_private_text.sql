-- 0004_private_text.sql — what staff type and what clients are answered,
-- kept where a copy of the database cannot spend it and an erasure can reach
-- it (docs/security.md).

-- A ledger transaction's reason and till reference are free text that may
-- name a customer. They move beside the append-only ledger, into a table
-- that erasure may redact; the ledger rows keep only codes (kind, note,
-- amount, staff, store). One row per transaction that has any text.
CREATE TABLE ledger_texts (
    transaction_id  BIGINT PRIMARY KEY REFERENCES ledger_transactions(id),
    reason          TEXT,
    till_reference  TEXT
);
INSERT INTO ledger_texts (transaction_id, reason, till_reference)
    SELECT id, reason, till_reference FROM ledger_transactions
    WHERE reason IS NOT NULL OR till_reference IS NOT NULL;
-- Dropping a column rewrites no row through UPDATE: the append-only
-- triggers do not fire, and the entries are not touched.
ALTER TABLE ledger_transactions DROP COLUMN reason;
ALTER TABLE ledger_transactions DROP COLUMN till_reference;

-- Erasure finds the notes of a customer's cases by case_id too.
CREATE INDEX credit_notes_case ON credit_notes (case_id) WHERE case_id IS NOT NULL;

-- Remembered answers: from now on idem_key holds an id derived from the
-- Idempotency-Key and response the answer sealed with a key derived from it
-- (form 'sealed', domain/idempotency.c); customer_id is the customer the
-- answer concerns, so that erasing them forgets it (form 'forgotten').
-- Rows remembered before this migration stay readable as they were (form
-- 'clear') until they expire, without the credit-note codes they held.
ALTER TABLE idempotency_keys ADD COLUMN customer_id BIGINT;
ALTER TABLE idempotency_keys ADD COLUMN form TEXT NOT NULL DEFAULT 'clear'
    CHECK (form IN ('clear', 'sealed', 'forgotten'));
CREATE INDEX idempotency_keys_customer ON idempotency_keys (customer_id) WHERE customer_id IS NOT NULL;
-- @backend sqlite
UPDATE idempotency_keys
   SET customer_id = json_extract(response, '$.customer_id'),
       response = json_remove(response, '$.code', '$.outcome.credit_note.code')
 WHERE response LIKE '{%' AND json_valid(response);
UPDATE idempotency_keys SET customer_id = NULL WHERE typeof(customer_id) <> 'integer';
-- @backend postgres
UPDATE idempotency_keys
   SET customer_id = CASE WHEN jsonb_typeof(response::jsonb -> 'customer_id') = 'number'
                          THEN (response::jsonb ->> 'customer_id')::bigint END,
       response = ((response::jsonb) #- '{code}' #- '{outcome,credit_note,code}')::text
 WHERE response LIKE '{%';
-- @backend all
