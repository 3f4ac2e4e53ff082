// Arrival.tsx — a collection's arrival in the manager's store: plan the
// date and the first-choice window, preview what releasing would do (tasks
// per associate, who is not on the list and why), release; and the
// collection report with its chart.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, newKey, type S } from '../../api/client';
import { arrivalReport, getCollection, listCollections, planArrival, previewArrival, releaseArrival } from '../../api/catalogue';
import { day, t, when } from '../../i18n';
import { Link } from '../../shared';
import { asError, Badge, ErrorNote, Field, Notice, Page } from '../../ui';
import { pct, StorePicker, useStore } from './common';

export function Collections() {
  const [items, setItems] = useState<S['CollectionSummary'][] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => { listCollections().then((r) => setItems(r.items)).catch((e) => setError(asError(e))); }, []);
  return (
    <Page title={t('nav.collections')}>
      <ErrorNote error={error} />
      {items && !items.length ? <p role="status">{t('cl.collections_none')}</p> : null}
      {items?.length ? <table><thead><tr><th>{t('cl.collection')}</th><th>{t('cl.code')}</th><th class="num">{t('cl.styles')}</th><th>{t('cl.created')}</th></tr></thead>
        <tbody>{items.map((c) => <tr><td><Link to={`/collections/${encodeURIComponent(c.code)}`}>{c.name}</Link></td><td>{c.code}</td>
          <td class="num">{c.styles_count}</td><td>{day(c.created_at)}</td></tr>)}</tbody></table> : null}
    </Page>
  );
}

/** "2026-12-01T09:00" in the browser's zone (Europe/Amsterdam at the desk) for an RFC 3339 time. */
function localInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

const REASONS = ['no_consent', 'objected', 'do_not_contact', 'over_contact_cap', 'no_size_in_stock', 'dislikes', 'no_fit'] as const;

function Summary({ s }: { s: S['ArrivalSummary'] }) {
  return (
    <>
      <div class="tiles">
        <div class="tile"><span>{t('cl.candidates')}</span><strong>{s.candidates}</strong></div>
        <div class="tile"><span>{t('cl.matched')}</span><strong>{s.matched}</strong></div>
        <div class="tile"><span>{t('cl.tasks')}</span><strong>{s.tasks}</strong></div>
        <div class="tile"><span>{t('cl.holdout')}</span><strong>{s.holdout}</strong></div>
      </div>
      <div class="grid2">
        <div><h3>{t('cl.tasks_per_associate')}</h3>
          <table class="per-associate"><thead><tr><th>{t('cl.associate')}</th><th class="num">{t('cl.tasks')}</th></tr></thead>
            <tbody>{s.tasks_per_associate.map((a) => <tr><td>{a.staff_login ? `${a.name ?? a.staff_login}` : t('cl.pool')}</td><td class="num">{a.tasks}</td></tr>)}</tbody></table></div>
        <div><h3>{t('cl.skipped')}</h3>
          <table class="skipped"><thead><tr><th>{t('cl.reason')}</th><th class="num">{t('cl.customers')}</th></tr></thead>
            <tbody>{REASONS.map((r) => <tr><td>{t(`cl.skip.${r}`)}</td><td class="num">{s.skipped[r]}</td></tr>)}</tbody></table></div>
      </div>
      {s.already_matched ? <p class="muted">{t('cl.already_matched', { n: s.already_matched })}</p> : null}
    </>
  );
}

export function ArrivalView({ code }: { code: string }) {
  const [store, setStore] = useStore();
  const [c, setC] = useState<S['Collection'] | null>(null);
  const [plan, setPlan] = useState({ arrives_at: '', first_choice_hours: '48' });
  const [preview, setPreview] = useState<S['ArrivalSummary'] | null>(null);
  const [released, setReleased] = useState<S['ArrivalSummary'] | null>(null);
  const [key] = useState(() => newKey('arrive'));
  const [error, setError] = useState<ApiError | null>(null);
  const arrival = c?.arrivals.find((a) => a.store_code === store) ?? null;
  const load = () => getCollection(code).then((x) => {
    setC(x);
    const a = x.arrivals.find((y) => y.store_code === store);
    if (a) setPlan({ arrives_at: localInput(a.arrives_at), first_choice_hours: String(a.first_choice_hours) });
  }).catch((e) => setError(asError(e)));
  useEffect(() => { load(); }, [code, store]);
  const run = async (fn: () => Promise<unknown>) => { try { await fn(); setError(null); } catch (e) { setError(asError(e)); } };
  const savePlan = (e: Event) => { e.preventDefault(); run(async () => {
    const when_ = plan.arrives_at ? new Date(plan.arrives_at) : null;
    await planArrival(code, store, { arrives_at: when_ && !isNaN(+when_) ? when_.toISOString() : plan.arrives_at, first_choice_hours: Number(plan.first_choice_hours) || 0 });
    setPreview(null); await load();
  }); };
  return (
    <Page title={c?.name ?? code} actions={arrival?.status === 'arrived' ? <Link to={`/collections/${encodeURIComponent(code)}/report?store=${store}`} class="button">{t('cl.report')}</Link> : null}>
      <div class="filters"><StorePicker value={store} onChange={setStore} /></div>
      {c ? <p class="muted">{c.styles.map((s) => `${s.name} (${s.brand})`).join(' · ')}</p> : null}
      <form class="card form inline" onSubmit={savePlan} noValidate>
        <h2 class="full">{t('cl.plan')}</h2>
        <Field label={t('cl.arrives_at')} name="arrives_at" type="datetime-local" value={plan.arrives_at} onInput={(v) => setPlan({ ...plan, arrives_at: v })} error={error} />
        <Field label={t('cl.first_choice_hours')} name="first_choice_hours" value={plan.first_choice_hours} onInput={(v) => setPlan({ ...plan, first_choice_hours: v })} error={error} inputMode="numeric" />
        <button type="submit" disabled={arrival?.status === 'arrived'}>{t('cl.plan_save')}</button>
      </form>
      {arrival ? <p role="status"><Badge kind={`arrival-${arrival.status}`}>{t(`cl.arrival.${arrival.status}`)}</Badge>{' '}
        {arrival.status === 'arrived' ? t('cl.arrived_at', { at: when(arrival.arrived_at) }) : t('cl.planned_at', { at: when(arrival.arrives_at) })}
        {' · '}{t('cl.first_choice_until', { at: when(arrival.first_choice_ends_at) })}</p> : null}
      <ErrorNote error={error} />
      {arrival && !released ? <div class="actions">
        <button type="button" onClick={() => run(async () => setPreview(await previewArrival(code, store)))}>{t('cl.preview')}</button>
        {preview ? <button type="button" class="primary" onClick={() => run(async () => { setReleased(await releaseArrival(code, store, key)); setPreview(null); await load(); })}>
          {t('cl.release_arrival')}</button> : null}
      </div> : null}
      {preview ? <section class="card preview" aria-labelledby="h-preview"><h2 id="h-preview">{t('cl.preview_title')}</h2>
        <Notice kind="info">{t('cl.preview_note')}</Notice><Summary s={preview} /></section> : null}
      {released ? <section class="card released" aria-labelledby="h-released"><h2 id="h-released">{t('cl.released_title')}</h2>
        <Notice kind="ok">{t('cl.released_note', { n: released.tasks })}</Notice><Summary s={released} /></section> : null}
    </Page>
  );
}

/** Horizontal bars with their numbers: small, readable, no library. */
function Bars({ rows, label }: { rows: [string, number, string?][]; label: string }) {
  const max = Math.max(1, ...rows.map((r) => r[1]));
  const h = 30, lw = 190, w = 600;
  return (
    <svg class="bars" viewBox={`0 0 ${w} ${rows.length * h + 8}`} role="img" aria-label={label}>
      <title>{label}</title>
      {rows.map(([name, v, shown], i) => <g transform={`translate(0 ${i * h + 4})`}>
        <text x={lw - 8} y={h / 2 + 5} text-anchor="end" fill="#1a1a1a" font-size="14">{name}</text>
        <rect x={lw} y={4} height={h - 10} width={Math.max(1, ((w - lw - 70) * v) / max)} fill={i % 2 ? '#1e40af' : '#1d4ed8'} rx={3} />
        <text x={lw + Math.max(1, ((w - lw - 70) * v) / max) + 6} y={h / 2 + 5} fill="#1a1a1a" font-size="14">{shown ?? v}</text>
      </g>)}
    </svg>
  );
}

export function Report({ code, store: asked }: { code: string; store: string | null }) {
  const [own] = useStore();
  const store = asked || own;
  const [r, setR] = useState<S['ArrivalReport'] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => { if (store) arrivalReport(code, store).then(setR).catch((e) => setError(asError(e))); }, [code, store]);
  const u = r?.uplift;
  return (
    <Page title={t('cl.report_title', { code })}>
      <ErrorNote error={error} />
      {r ? <>
        <p class="muted">{r.store_code} · {r.arrived_at ? t('cl.arrived_at', { at: when(r.arrived_at) }) : t('cl.not_arrived')} · {t('cl.window_days', { n: r.window_days })}</p>
        <div class="tiles">
          <div class="tile"><span>{t('cl.bought_treated')}</span><strong>{pct(u?.treated_rate)}</strong></div>
          <div class="tile"><span>{t('cl.bought_holdout')}</span><strong>{pct(u?.holdout_rate)}</strong></div>
          <div class="tile uplift"><span>{t('cl.uplift')}</span><strong>{u?.estimable ? `${(u.uplift ?? 0) >= 0 ? '+' : ''}${pct(u.uplift, 1)}` : t('cl.too_few')}</strong>
            {u?.estimable ? <span>{t('cl.interval', { low: pct(u.low, 1), high: pct(u.high, 1) })}</span> : null}</div>
        </div>
        <h2>{t('cl.funnel')}</h2>
        <Bars label={t('cl.funnel_label')} rows={[[t('cl.matched'), r.matched], [t('cl.tasks'), r.tasks], [t('cl.reached'), r.reached],
          [t('cl.holds'), r.holds], [t('cl.bought_treated_n'), r.bought_treated], [t('cl.holdout'), r.holdout], [t('cl.bought_holdout_n'), r.bought_holdout]]} />
        <table class="report"><tbody>
          {([['matched', r.matched], ['tasks', r.tasks], ['holdout', r.holdout], ['done', r.done], ['lapsed', r.lapsed], ['reached', r.reached],
            ['holds', r.holds], ['holds_converted', r.holds_converted], ['bought_treated_n', r.bought_treated], ['bought_holdout_n', r.bought_holdout]] as [string, number][])
            .map(([k, v]) => <tr><th scope="row">{t(`cl.${k}`)}</th><td class="num">{v}</td></tr>)}</tbody></table>
        {!u?.estimable ? <p role="status">{u?.message ?? t('cl.too_few')}</p> : null}
      </> : null}
    </Page>
  );
}
