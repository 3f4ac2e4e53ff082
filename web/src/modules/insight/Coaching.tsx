// Coaching.tsx — what a manager and an associate talk over: per associate of
// a store their cases, resolutions, overrides of the recommendation with the
// reasons, their customers' NPS (with n and its interval) and their
// knowledge score, and for one rate at a time a funnel plot against the
// store: every associate's rate against their number of cases, the store's
// rate as the centre line and the 95 % and 99.8 % control limits as curves.
// Not a ranking: the table comes sorted by name and the screen says so. An
// associate sees their own point named and the others of the store unnamed.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, type S } from '../../api/client';
import { coachingFileUrl, getCoaching, type CoachingFilter } from '../../api/insight';
import { listStores } from '../../api/stores';
import { lang, money, t } from '../../i18n';
import { me } from '../../shared';
import { useSignal } from '../../state';
import { asError, DAY_MS, ErrorNote, isoDay, Page, PeriodFields, Select } from '../../ui';

type Funnel = S['CoachingFunnel'];
type Person = S['CoachingPerson'];
type Rate = Funnel['rate'];
const RATES: Rate[] = ['override', 'goodwill', 'decline', 'referral', 'promoter', 'detractor'];
const DAY = DAY_MS;
const locale = () => (lang.get() === 'en' ? 'en-GB' : 'nl-NL');
const pct = (v: number) => `${(v * 100).toLocaleString(locale(), { maximumFractionDigits: 1 })} %`;
const one = (v: number) => v.toLocaleString(locale(), { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/* The plot's frame, in SVG units. */
const W = 560, H = 300, L = 48, R = 16, T = 12, B = 36;

/** The funnel of one rate: the limits as curves, the centre line, the points. */
function FunnelPlot({ f }: { f: Funnel }) {
  const nMax = Math.max(10, ...f.curve.map((c) => c.n), ...f.points.map((p) => p.n));
  const centre = f.centre.rate ?? 0;
  /* Up to the highest point or the 99.8 % limit from 3 cases on, in steps of 10 %. */
  const top = Math.min(1, Math.ceil(Math.max(centre * 1.5, ...f.points.map((p) => p.rate),
    ...f.curve.filter((c) => c.n >= 3).map((c) => c.high998)) * 10 + 1e-9) / 10) || 1;
  const x = (n: number) => L + (n / nMax) * (W - L - R);
  const y = (v: number) => T + (1 - Math.min(v, top) / top) * (H - T - B);
  const path = (k: 'low95' | 'high95' | 'low998' | 'high998') =>
    f.curve.map((c, i) => `${i ? 'L' : 'M'}${x(c.n).toFixed(1)},${y(c[k]).toFixed(1)}`).join(' ');
  const yTicks = [0, 0.25, 0.5, 0.75, 1].map((v) => v * top);
  const xTicks = [0, 0.25, 0.5, 0.75, 1].map((v) => Math.round(v * nMax));
  const label = t('coach.plot_label', { rate: t(`coach.rate_${f.rate}`), centre: pct(centre), n: f.points.length });
  return (
    <svg class="funnel" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label} data-rate={f.rate}>
      {yTicks.map((v) => <g><line class="grid" x1={L} x2={W - R} y1={y(v)} y2={y(v)} />
        <text x={L - 6} y={y(v) + 4} text-anchor="end">{pct(v)}</text></g>)}
      {xTicks.map((n) => <text x={x(n)} y={H - B + 16} text-anchor="middle">{n}</text>)}
      <text x={(L + W - R) / 2} y={H - 4} text-anchor="middle" class="axis-label">
        {t(f.of === 'answers' ? 'coach.axis_answers' : 'coach.axis_cases')}</text>
      <path class="limit998" d={path('high998')} /><path class="limit998" d={path('low998')} />
      <path class="limit95" d={path('high95')} /><path class="limit95" d={path('low95')} />
      <line class="centre" x1={L} x2={W - R} y1={y(centre)} y2={y(centre)} />
      {f.points.map((p) => <circle class={`dot${p.self ? ' self' : ''}${p.band ? ' outside' : ''}`} cx={x(p.n)} cy={y(p.rate)}
        r={p.self ? 6 : 4.5} data-login={p.login ?? ''}>
        <title>{`${p.name ?? t('coach.colleague')}: ${p.k}/${p.n} (${pct(p.rate)})`}</title></circle>)}
      {f.points.filter((p) => p.self || p.name).map((p) => <text class="dot-label" x={x(p.n) + 8} y={y(p.rate) - 6}>
        {p.self ? t('coach.you') : p.name}</text>)}
    </svg>
  );
}

function Nps({ f }: { f: S['NpsFigure'] }) {
  if (f.too_few || f.score === null) return <span class="muted">{t('coach.too_few', { n: f.n })}</span>;
  return <>{one(f.score)} <span class="muted">({one(f.low!)} … {one(f.high!)}, n = {f.n})</span></>;
}

function Overrides({ p }: { p: Person }) {
  if (!p.overrides.items.length) return null;
  return (
    <details class="overrides">
      <summary>{t('coach.overrides_of', { name: p.name, n: p.overrides.n })}</summary>
      <ul>
        {p.overrides.items.map((o) => <li>
          <a href={`/cases/${o.case_id}`}>#{o.case_id}</a> · {t(`resolution.${o.recommended}`)} {money(o.recommended_cents)} →{' '}
          <strong>{t(`resolution.${o.chosen}`)}{o.chosen_cents ? ` ${money(o.chosen_cents)}` : ''}</strong>: “{o.reason}”
        </li>)}
      </ul>
      {p.overrides.items.length < p.overrides.n &&
        <p class="muted">{t('coach.overrides_shown', { shown: p.overrides.items.length, n: p.overrides.n })}</p>}
    </details>
  );
}

export function Coaching() {
  const user = useSignal(me);
  const today = Date.now();
  const [rate, setRate] = useState<Rate>('override');
  const [from, setFrom] = useState(isoDay(today - 89 * DAY));
  const [to, setTo] = useState(isoDay(today));
  const [store, setStore] = useState('');
  const [stores, setStores] = useState<[string, string][]>([]);
  const [data, setData] = useState<S['CoachingReport'] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const filter: CoachingFilter = { from, to, store };
  useEffect(() => {
    if (user?.role === 'admin') listStores().then((r) => setStores(r.items.map((x) => [x.code, x.name]))).catch(() => setStores([]));
  }, [user?.role]);
  useEffect(() => {
    getCoaching(filter).then((r) => { setData(r); setError(null); }).catch((e) => { setData(null); setError(asError(e)); });
  }, [from, to, store]);
  const f = data?.funnels.find((x) => x.rate === rate);
  return (
    <Page title={t('coach.title')} actions={<span class="file-links">
      <a class="button secondary" href={coachingFileUrl(filter, 'csv')} download>{t('coach.csv')}</a>
      <a class="button secondary" href={coachingFileUrl(filter, 'xlsx')} download>{t('coach.xlsx')}</a></span>}>
      <p class="notice coaching-note" role="note"><strong>{t('coach.not_ranking')}</strong> {t('coach.explain')}</p>
      <div class="filters">
        {stores.length ? <Select label={t('nps.store')} name="store" value={store} onChange={setStore} error={error}
          options={[['', t('coach.all_stores')], ...stores]} /> : null}
        <PeriodFields from={from} to={to} setFrom={setFrom} setTo={setTo} error={error} />
      </div>
      <ErrorNote error={error} />
      {data ? <section class="card" aria-labelledby="h-funnel">
        <h2 id="h-funnel">{t('coach.funnel')} · {data.from} – {data.to}{data.store_code ? ` · ${data.store_code}` : ` · ${t('coach.all_stores')}`}</h2>
        <div class="field" role="radiogroup" aria-label={t('coach.rate')}>
          <span class="label">{t('coach.rate')}</span>
          <div class="segmented">{RATES.map((r) => <button type="button" role="radio" aria-checked={rate === r}
            class={rate === r ? 'on' : ''} onClick={() => setRate(r)}>{t(`coach.rate_${r}`)}</button>)}</div>
        </div>
        {f && !f.too_few ? <>
          <FunnelPlot f={f} />
          <p class="muted small" role="status">{t('coach.centre', { rate: pct(f.centre.rate ?? 0), k: f.centre.k, n: f.centre.n })}
            {f.too_few_points ? ` ${t('coach.hidden', { n: f.too_few_points, min: data.min_answers })}` : ''}</p>
        </> : <p role="status">{t(f?.of === 'answers' ? 'coach.empty_answers' : 'coach.empty', { min: data.min_answers })}</p>}
        <p class="muted small">{t('coach.legend')}</p>
      </section> : null}
      {data?.people.length ? <section class="card" aria-labelledby="h-people">
        <h2 id="h-people">{data.people.length === 1 && data.people[0].self ? t('coach.mine') : t('coach.people')}</h2>
        <table class="coach-people">
          <thead><tr><th scope="col">{t('coach.name')}</th><th scope="col" class="num">{t('coach.cases')}</th>
            <th scope="col" class="num">{t('coach.overrides')}</th><th scope="col" class="num">{t('coach.goodwill')}</th>
            <th scope="col" class="num">{t('coach.declined')}</th><th scope="col" class="num">{t('coach.referred')}</th>
            <th scope="col">{t('coach.nps')}</th><th scope="col" class="num">{t('coach.knowledge')}</th></tr></thead>
          <tbody>
            {data.people.map((p) => <tr class={p.self ? 'self' : undefined}>
              <th scope="row">{p.name}{data.store_code ? '' : <span class="muted"> · {p.store_code}</span>}</th>
              <td class="num">{p.cases}</td>
              <td class="num">{p.overrides.n}</td>
              <td class="num">{p.goodwill.cases} <span class="muted">({money(p.goodwill.cents)})</span></td>
              <td class="num">{p.resolutions.decline ?? 0}</td>
              <td class="num">{p.resolutions.refer_elsewhere ?? 0}</td>
              <td><Nps f={p.nps} /></td>
              <td class="num">{p.knowledge.percent === null ? '—' : `${p.knowledge.percent} %`}
                <span class="muted"> ({p.knowledge.correct}/{p.knowledge.questions})</span></td>
            </tr>)}
          </tbody>
        </table>
        <p class="muted small">{t('coach.sorted')}</p>
        {data.people.map((p) => <Overrides p={p} />)}
      </section> : null}
    </Page>
  );
}
