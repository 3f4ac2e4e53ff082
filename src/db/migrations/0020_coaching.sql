-- 0020_coaching.sql — what coaching reads (domain/coaching_read.c).
--
-- coaching_days: per Amsterdam date a case was resolved (days since
-- 1970-01-01), store, person (who took the case, else who resolved it),
-- kind, resolution, whether it overrode the recommendation and whether its
-- credit note was goodwill: the cases and the goodwill cents. Kept in the
-- transaction that resolves the case (the RESOLVED event, coaching_on_event),
-- so a period is read from days, not from every case of it. Bounded by days
-- x stores x people x the few kinds and resolutions, not by cases.
CREATE TABLE coaching_days (
    store_id        BIGINT NOT NULL,
    day             BIGINT NOT NULL,
    staff_id        BIGINT NOT NULL,
    kind            TEXT NOT NULL,
    resolution      TEXT NOT NULL,
    overridden      BIGINT NOT NULL CHECK (overridden IN (0, 1)),
    goodwill        BIGINT NOT NULL CHECK (goodwill IN (0, 1)),
    cases           BIGINT NOT NULL CHECK (cases >= 0),
    goodwill_cents  BIGINT NOT NULL CHECK (goodwill_cents >= 0),
    PRIMARY KEY (store_id, day, staff_id, kind, resolution, overridden, goodwill)
) @WITHOUT_ROWID@;
-- Head office's view of every store reads the days alone.
CREATE INDEX coaching_days_day ON coaching_days (day);

-- The cases resolved so far. Their Amsterdam date is taken as UTC+1 here (the
-- migration has no time zone rules); from now on the subscriber uses the
-- real offset, so only a case resolved between 00:00 and 01:00 summer time
-- before this migration can sit on the day before.
INSERT INTO coaching_days (store_id, day, staff_id, kind, resolution, overridden, goodwill, cases, goodwill_cents)
SELECT k.store_id, (k.resolved_at + 3600000000) / 86400000000, COALESCE(k.associate_id, k.resolved_by), k.kind,
       COALESCE(k.resolution, ''), CASE WHEN k.override_reason IS NULL THEN 0 ELSE 1 END,
       CASE WHEN n.funding = 'goodwill' THEN 1 ELSE 0 END, COUNT(*),
       COALESCE(SUM(CASE WHEN n.funding = 'goodwill' THEN n.amount_cents ELSE 0 END), 0)
FROM cases k LEFT JOIN credit_notes n ON n.id = k.credit_note_id
WHERE k.status IN ('resolved', 'followed_up') AND k.resolved_at IS NOT NULL
  AND COALESCE(k.associate_id, k.resolved_by) IS NOT NULL
GROUP BY k.store_id, (k.resolved_at + 3600000000) / 86400000000, COALESCE(k.associate_id, k.resolved_by), k.kind,
         COALESCE(k.resolution, ''), CASE WHEN k.override_reason IS NULL THEN 0 ELSE 1 END,
         CASE WHEN n.funding = 'goodwill' THEN 1 ELSE 0 END;

-- A person's newest overrides with their reasons: only the overrides, by
-- person and time.
CREATE INDEX cases_overrides ON cases (COALESCE(associate_id, resolved_by), resolved_at) WHERE override_reason IS NOT NULL;
