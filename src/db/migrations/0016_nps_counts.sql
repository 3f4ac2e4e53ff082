-- 0016_nps_counts.sql — the customers' answers counted per day, so the NPS
-- dashboard (domain/nps.c, docs/feedback.md) reads day rows, not answers.
--
-- One row per figure's dimension (dim: store, category, associate, kind,
-- resolution), its key (the category, the associate's login, the case's kind
-- or resolution; '' for dim store and for "none"), the store the answer's
-- case belongs to, and the UTC day of the first answer (days since 1970).
-- nps_count_answer() keeps it in the transaction that stores an answer: a
-- first answer adds one to its class, a changed answer within the day moves
-- the one from the old class to the new, on the same day row.
CREATE TABLE nps_counts (
    dim          TEXT NOT NULL CHECK (dim IN ('store', 'category', 'associate', 'kind', 'resolution')),
    day          BIGINT NOT NULL,
    store_id     BIGINT NOT NULL,
    key          TEXT NOT NULL,
    promoters    BIGINT NOT NULL DEFAULT 0 CHECK (promoters >= 0),
    passives     BIGINT NOT NULL DEFAULT 0 CHECK (passives >= 0),
    detractors   BIGINT NOT NULL DEFAULT 0 CHECK (detractors >= 0),
    PRIMARY KEY (dim, day, store_id, key)
) @WITHOUT_ROWID@;

-- The answers already given.
INSERT INTO nps_counts (dim, day, store_id, key, promoters, passives, detractors)
SELECT dim, day, store_id, key,
       SUM(CASE WHEN score >= 9 THEN 1 ELSE 0 END),
       SUM(CASE WHEN score BETWEEN 7 AND 8 THEN 1 ELSE 0 END),
       SUM(CASE WHEN score <= 6 THEN 1 ELSE 0 END)
  FROM (SELECT d.dim, v.first_answered_at / 86400000000 AS day, v.store_id, v.score,
               CASE d.dim WHEN 'store' THEN ''
                          WHEN 'kind' THEN k.kind
                          WHEN 'resolution' THEN COALESCE(k.resolution, '')
                          WHEN 'associate' THEN COALESCE((SELECT s.login FROM staff s
                                                          WHERE s.id = COALESCE(k.associate_id, k.resolved_by)), '')
                          ELSE COALESCE((SELECT i.category FROM case_items i
                                          WHERE i.case_id = k.id AND i.category IS NOT NULL
                                          ORDER BY i.item_no LIMIT 1), '') END AS key
          FROM surveys v
          JOIN cases k ON k.id = v.case_id
         CROSS JOIN (SELECT 'store' AS dim UNION ALL SELECT 'category' UNION ALL SELECT 'associate'
                     UNION ALL SELECT 'kind' UNION ALL SELECT 'resolution') d
         WHERE v.score IS NOT NULL AND v.first_answered_at IS NOT NULL) x
 GROUP BY dim, day, store_id, key;
