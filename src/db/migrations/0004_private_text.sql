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
