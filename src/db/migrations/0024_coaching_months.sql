-- 0024_coaching_months.sql — coaching_days added up per month, so that a
-- long period is read from its whole months and only its edges from days
-- (domain/coaching_read.c).
--
-- coaching_months: the same key as coaching_days (0020) with, instead of the
-- day, `month`: the day number (days since 1970-01-01) of the first of the
-- Amsterdam month. Kept by the same subscriber in the same transaction
-- (coaching_on_event), so for every key and month, cases and goodwill_cents
-- are the sums of that month's coaching_days rows. Bounded by months x
-- stores x people x the few kinds and resolutions.
CREATE TABLE coaching_months (
    store_id        BIGINT NOT NULL,
    month           BIGINT NOT NULL,
    staff_id        BIGINT NOT NULL,
    kind            TEXT NOT NULL,
    resolution      TEXT NOT NULL,
    overridden      BIGINT NOT NULL CHECK (overridden IN (0, 1)),
    goodwill        BIGINT NOT NULL CHECK (goodwill IN (0, 1)),
    cases           BIGINT NOT NULL CHECK (cases >= 0),
    goodwill_cents  BIGINT NOT NULL CHECK (goodwill_cents >= 0),
    PRIMARY KEY (store_id, month, staff_id, kind, resolution, overridden, goodwill)
) @WITHOUT_ROWID@;

-- The months of the days counted so far. The first of a day's month is the
-- day less its day of the year since 1 March, plus that of its month's first
-- (Howard Hinnant's civil-from-days, in whole numbers, the same in both
-- backends; coaching_month_of() in domain/coaching.c is the same
-- arithmetic, and tests/unit/test_coaching.c checks them alike).
INSERT INTO coaching_months (store_id, month, staff_id, kind, resolution, overridden, goodwill, cases, goodwill_cents)
SELECT store_id, day - doy + (153 * ((5 * doy + 2) / 153) + 2) / 5, staff_id, kind, resolution, overridden, goodwill,
       SUM(cases), SUM(goodwill_cents)
FROM (SELECT y.*, y.doe - (365 * y.yoe + y.yoe / 4 - y.yoe / 100) AS doy
      FROM (SELECT e.*, (e.doe - e.doe / 1460 + e.doe / 36524 - e.doe / 146096) / 365 AS yoe
            FROM (SELECT d.*, (d.day + 719468) % 146097 AS doe FROM coaching_days d) e) y) m
GROUP BY store_id, day - doy + (153 * ((5 * doy + 2) / 153) + 2) / 5, staff_id, kind, resolution, overridden, goodwill;
