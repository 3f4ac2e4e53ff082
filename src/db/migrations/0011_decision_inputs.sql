-- What each decision saw, kept with it (docs/desk.md, "Decision inputs"):
-- when the desk decides a case for resolution it stores, in the same
-- transaction, the case as the policy read it, the customer's facts and the
-- guard's signals as they were then, the policy version and the decision
-- itself (domain/desk_inputs.c). A later replay reads history as it was
-- known, without rebuilding the aggregates. Rows are never changed, except
-- by a customer's erasure: customer_id is cleared and the free text in
-- inputs_json redacted (domain/redact.c).
CREATE TABLE decision_inputs (
    id              @ID@,
    case_id         BIGINT NOT NULL REFERENCES cases(id),
    customer_id     BIGINT,
    store_id        BIGINT NOT NULL,
    decided_at      BIGINT NOT NULL,
    policy_version  TEXT NOT NULL,
    inputs_json     TEXT NOT NULL
);
CREATE INDEX decision_inputs_case ON decision_inputs (case_id, id);
CREATE INDEX decision_inputs_customer ON decision_inputs (customer_id);
CREATE INDEX decision_inputs_decided ON decision_inputs (decided_at, id);
