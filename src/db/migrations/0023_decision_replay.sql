-- 0023_decision_replay.sql — what the what-if simulator reads of each
-- stored decision (docs/insight.md, "Speed"; docs/desk.md, "Decision
-- inputs"), kept small so that a replay of a year of cases reads a narrow
-- table in the order of the period instead of every JSON document.
--
-- decision_replay: one row per decision_inputs row (same id), written in the
-- same transaction by domain/desk_inputs.c. inputs is the decision's inputs
-- in the compact form of desk_inputs.c (the same fields as inputs_json,
-- which stays the record: the export and erasure read it); NULL where it is
-- not (yet) there — the rows below, and a customer's rows after erasure —
-- and then the reader takes inputs_json, so the answer never depends on it.
-- superseded_at: the earliest decided_at of a later decision of the same
-- case (NULL: none), so "the latest decision of each case in a period" is a
-- condition on the row, not a look-up per row. Clustered by (decided_at, id)
-- on SQLite: a period is one range of the key.
CREATE TABLE decision_replay (
    decided_at      BIGINT NOT NULL,
    id              BIGINT NOT NULL,
    case_id         BIGINT NOT NULL,
    customer_id     BIGINT,
    store_id        BIGINT NOT NULL,
    superseded_at   BIGINT,
    inputs          TEXT,
    PRIMARY KEY (decided_at, id)
) @WITHOUT_ROWID@;
INSERT INTO decision_replay (decided_at, id, case_id, customer_id, store_id, superseded_at, inputs)
SELECT d.decided_at, d.id, d.case_id, d.customer_id, d.store_id,
       (SELECT MIN(n.decided_at) FROM decision_inputs n WHERE n.case_id = d.case_id AND n.id > d.id), NULL
FROM decision_inputs d;

-- The decisions the guard rated amber or red, by customer and time, for the
-- bounded layer's "was this customer flagged in a later decision?": a small
-- index instead of every document after the period's start. The level is
-- the document's "risk" member, the only field named "level" in it, written
-- compact by jansson; domain/simulate_run.c repeats this WHERE word for
-- word, so that both backends use the index.
CREATE INDEX decision_inputs_flagged ON decision_inputs (customer_id, decided_at)
    WHERE inputs_json LIKE '%"level":"amber"%' OR inputs_json LIKE '%"level":"red"%';
