// WhatIf.tsx — the policy editor's "what would this draft have done?": the
// draft as typed, replayed by the server over the cases of the last 90 days
// before it is saved, in its three labelled layers (exact, bounded,
// modelled) and the changed cases in a table, also as a CSV or Excel file.
// Nothing is saved or changed.
import { useState } from 'preact/hooks';
import { ApiError, saveFile, type S } from '../../api/client';
import { simulatePolicy, simulationFile } from '../../api/policy';
import { day, money, t } from '../../i18n';
import { asError, ErrorNote } from '../../ui';

type Tally = S['SimulationTally'];
type Side = S['SimulationSide'];

const side = (s: Side) =>
  `${t(`resolution.${s.resolution}`)} ${money(s.amount_cents)}${s.needs_approval ? ` (${t('sim.manager')})` : ''}`;

function Figures({ tally }: { tally: Tally }) {
  const rows: [string, string, string][] = [
    [t('sim.approvals'), String(tally.approvals.before), String(tally.approvals.after)],
    [t('sim.goodwill_desk'), money(tally.goodwill_cents.before), money(tally.goodwill_cents.after)],
    [t('sim.goodwill_manager'), money(tally.goodwill_to_manager_cents.before), money(tally.goodwill_to_manager_cents.after)],
  ];
  return (
    <table class="sim-figures">
      <thead><tr><th>{t('sim.figure')}</th><th>{t('sim.before')}</th><th>{t('sim.after')}</th></tr></thead>
      <tbody>{rows.map(([label, b, a]) => <tr><th scope="row">{label}</th><td>{b}</td><td>{a}</td></tr>)}</tbody>
    </table>
  );
}

function Result({ r, download }: { r: S['Simulation']; download: (format: 'csv' | 'xlsx') => void }) {
  const x = r.exact;
  if (r.cases === 0) return <p role="status">{t('sim.none')}</p>;
  return (
    <div role="status">
      <section aria-labelledby="sim-exact">
        <h3 id="sim-exact">{t('sim.exact')}</h3>
        <p>{t('sim.exact_says', { cases: x.cases, changed: x.changed })}</p>
        <Figures tally={x} />
        {r.loader_settings_changed ? <p class="hint">{t('sim.loader', { fields: r.loader_settings_changed })}</p> : null}
        {x.stores.length > 1 ? (
          <table>
            <thead><tr><th>{t('case.store')}</th><th>{t('sim.cases')}</th><th>{t('sim.changed')}</th><th>{t('sim.approvals')}</th></tr></thead>
            <tbody>{x.stores.map((s) => <tr><td>{s.store_code ?? '—'}</td><td>{s.cases}</td><td>{s.changed}</td>
              <td>{s.approvals.before} → {s.approvals.after}</td></tr>)}</tbody>
          </table>) : null}
        {x.changes.length ? (
          <table class="sim-changes">
            <caption>{t('sim.changes', { n: x.changed })}{' '}
              <button type="button" class="secondary" onClick={() => download('csv')}>{t('sim.csv')}</button>{' '}
              <button type="button" class="secondary" onClick={() => download('xlsx')}>{t('sim.xlsx')}</button></caption>
            <thead><tr><th>{t('sim.case')}</th><th>{t('case.store')}</th><th>{t('case.kind')}</th><th>{t('sim.decided')}</th>
              <th>{t('sim.before')}</th><th>{t('sim.after')}</th></tr></thead>
            <tbody>{x.changes.map((c) => <tr data-case={c.case_id}><td>#{c.case_id}</td><td>{c.store_code}</td><td>{t(`kind.${c.kind}`)}</td>
              <td>{day(c.decided_at)}</td><td>{side(c.before)}</td><td>{side(c.after)}</td></tr>)}</tbody>
          </table>) : null}
      </section>
      <section aria-labelledby="sim-bounded">
        <h3 id="sim-bounded">{t('sim.bounded')}</h3>
        <p>{t('sim.bounded_says', { cents: money(r.bounded.exposed_cents), cases: r.bounded.exposed_cases, people: r.bounded.flagged_customers })}</p>
        <p class="hint">{t('sim.bounded_means')}</p>
      </section>
      <section aria-labelledby="sim-modelled">
        <h3 id="sim-modelled">{t('sim.modelled')}</h3>
        {r.modelled.estimable && r.modelled.revenue_retained_interval_cents && r.modelled.per_euro ?
          <p>{t('sim.modelled_est', {
            cents: money(r.modelled.revenue_retained_cents ?? 0), low: money(r.modelled.revenue_retained_interval_cents.low),
            high: money(r.modelled.revenue_retained_interval_cents.high), change: money(r.modelled.goodwill_change_cents),
            per: r.modelled.per_euro.estimate.toFixed(2), days: r.modelled.window_days ?? 90,
          })}</p> :
          <p>{t('sim.modelled_not', { reason: r.modelled.reason })}</p>}
        <p class="hint">{t('sim.modelled_means')}</p>
      </section>
    </div>
  );
}

export function WhatIf({ draft }: { draft: string }) {
  const [result, setResult] = useState<S['Simulation'] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true); setError(null); setResult(null);
    try { setResult(await simulatePolicy(draft)); } catch (e) { setError(asError(e)); }
    setBusy(false);
  };
  /* The changed cases as a file: the same replay again, answered as CSV or a workbook. */
  const download = async (format: 'csv' | 'xlsx') => {
    setError(null);
    try { saveFile(await simulationFile(draft, format)); } catch (e) { setError(asError(e)); }
  };
  return (
    <div class="card" id="what-if">
      <h2>{t('sim.title')}</h2>
      <p class="hint">{t('sim.hint')}</p>
      <button type="button" onClick={run} disabled={busy} aria-busy={busy || undefined}>{t('sim.run')}</button>
      {error && error.details.length ? (
        <div class="notice error" role="alert">
          <strong>{t('sim.problems')}</strong>
          <ul>{error.details.map((d) => <li><code>{d.field ? d.field.replace(/^policy\.?/, '') || t('policy.whole') : t('policy.whole')}</code>: {d.problem}</li>)}</ul>
        </div>) : <ErrorNote error={error} />}
      {result ? <Result r={result} download={download} /> : null}
    </div>
  );
}
