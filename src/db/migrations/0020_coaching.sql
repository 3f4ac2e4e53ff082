-- 0020_coaching.sql — coaching reads a store's cases resolved in a period
-- (domain/coaching_read.c): this index walks just those, whatever the
-- store's history, instead of every case the store ever opened.
CREATE INDEX cases_store_resolved ON cases (store_id, resolved_at);
