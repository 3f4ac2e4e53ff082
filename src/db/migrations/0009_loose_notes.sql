-- Notes issued outside the desk ("loose" notes: POST /api/v1/credit-notes)
-- are capped per associate per 24 hours; this index makes the sum a range
-- read of the associate's own notes.
CREATE INDEX credit_notes_issuer ON credit_notes (issued_by, issued_at);
