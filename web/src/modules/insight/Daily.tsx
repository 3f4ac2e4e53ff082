// Daily.tsx — the desk's cases per day for head office and store managers:
// one figure at a time (opened, resolved, declined, goodwill, …) as a bar per
// day in an SVG chart, with the chain beside a store as its own chart (a
// manager sees the chain only as sums), the period's totals, per category
// and, for head office, per store. Links download the same as CSV for Dutch
// Excel or as a workbook. The figures come from the daily rollup kept as the
// desk works, so the chart costs the same for a day as for two years.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, type S } from '../../api/client';
import { dailyFileUrl, getDaily, type DailyFilter } from '../../api/insight';
import { listStores } from '../../api/stores';
import { lang, t } from '../../i18n';
import { me } from '../../shared';
import { useSignal } from '../../state';
import { asError, DAY_MS, ErrorNote, isoDay, Page, PeriodFields, Select, Wide } from '../../ui';

type Counts = S['InsightDailyCounts'];
type Day = S['InsightDailyDay'];
type Metric = 'opened' | 'resolved' | 'refunds' | 'store_credits' | 'referrals' | 'declined' | 'overrides'
  | 'approvals_requested' | 'cancelled' | 'refund_cents' | 'store_credit_cents' | 'goodwill_cents';
const METRICS: Metric[] = ['opened', 'resolved', 'refunds', 'store_credits', 'referrals', 'declined', 'overrides',
  'approvals_requested', 'cancelled', 'refund_cents', 'store_credit_cents', 'goodwill_cents'];
const TABLE: Metric[] = ['opened', 'resolved', 'declined', 'referrals', 'overrides', 'goodwill_cents', 'store_credit_cents'];
const DAY = DAY_MS;
const locale = () => (lang.get() === 'en' ? 'en-GB' : 'nl-NL');
const isMoney = (m: Metric) => m.endsWith('_cents');
/** A count as a number, cents as euros. */
const show = (m: Metric, v: number) => isMoney(m)
  ? (v / 100).toLocaleString(locale(), { style: 'currency', currency: 'EUR' })
  : v.toLocaleString(locale());
/** A scale label: whole numbers, or whole euros. */
const tick = (m: Metric, v: number) => isMoney(m)
  ? (v / 100).toLocaleString(locale(), { style: 'currency', currency: 'EUR', maximumFractionDigits: 0 })
  : Math.round(v).toLocaleString(locale());
const shortDay = (d: string) => new Date(`${d}T12:00:00Z`).toLocaleDateString(locale(), { day: 'numeric', month: 'short' });

/* The chart: a bar per day over W × H pixels, a scale on the left. */
const W = 720, H = 200, LEFT = 56, BOTTOM = 22, TOP = 8;

/** A round top for the scale: 1, 2 or 5 times a power of ten. */
function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  return [1, 2, 5, 10].map((k) => k * p).find((k) => k >= v) ?? 10 * p;
}

function Chart({ days, metric, title }: { days: Day[]; metric: Metric; title: string }) {
  const values = days.map((d) => d[metric] as number);
  /* Counts on a scale of whole numbers, money of whole euros; at least 0, 1, 2. */
  const unit = isMoney(metric) ? 100 : 1;
  const top = Math.max(2, niceMax(Math.max(0, ...values) / unit)) * unit;
  const plotW = W - LEFT, plotH = H - TOP - BOTTOM, step = plotW / Math.max(days.length, 1);
  const y = (v: number) => TOP + plotH - (v / top) * plotH;
  const total = values.reduce((a, b) => a + b, 0);
  const ticks = [0, top / 2, top];
  const labels = days.length ? [0, Math.floor((days.length - 1) / 2), days.length - 1] : [];
  return (
    <figure class="daily-chart">
      <svg width="100%" viewBox={`0 0 ${W} ${H}`} role="img"
        aria-label={t('daily.chart_label', { what: title, total: show(metric, total), n: days.length })}>
        {ticks.map((v) => <g>
          <line x1={LEFT} x2={W} y1={y(v)} y2={y(v)} class={v === 0 ? 'axis' : 'grid'} />
          <text x={LEFT - 6} y={y(v) + 4} text-anchor="end">{tick(metric, v)}</text>
        </g>)}
        {days.map((d, i) => {
          const v = d[metric] as number;
          return v > 0 ? <rect x={LEFT + i * step + step * 0.1} y={y(v)} width={Math.max(1, step * 0.8)} height={y(0) - y(v)}
            class="bar"><title>{`${d.day}: ${show(metric, v)}`}</title></rect> : null;
        })}
        {labels.map((i, k) => <text x={LEFT + i * step + step / 2} y={H - 6}
          text-anchor={k === 0 ? 'start' : k === 2 ? 'end' : 'middle'}>{shortDay(days[i].day)}</text>)}
      </svg>
      <figcaption>{title} · {t('daily.total')}: <strong>{show(metric, total)}</strong></figcaption>
    </figure>
  );
}

function hours(c: Counts) {
  return c.mean_hours_to_resolve === null ? '—'
    : c.mean_hours_to_resolve.toLocaleString(locale(), { maximumFractionDigits: 1 });
}

function Totals({ head, rows }: { head: string; rows: { name: string; title?: string; c: Counts; total?: boolean }[] }) {
  return (
    <table class="nps">
      <thead><tr><th scope="col">{head}</th>{TABLE.map((m) => <th scope="col" class="num">{t(`daily.m_${m}`)}</th>)}
        <th scope="col" class="num">{t('daily.hours')}</th></tr></thead>
      <tbody>
        {rows.map((r) => <tr class={r.total ? 'nps-total' : undefined}>
          <th scope="row" title={r.title}>{r.name}</th>
          {TABLE.map((m) => <td class="num">{show(m, r.c[m] as number)}</td>)}
          <td class="num">{hours(r.c)}</td>
        </tr>)}
      </tbody>
    </table>
  );
}

export function Daily() {
  const user = useSignal(me);
  const today = Date.now();
  const [from, setFrom] = useState(isoDay(today - 29 * DAY));
  const [to, setTo] = useState(isoDay(today));
  const [store, setStore] = useState('');
  const [stores, setStores] = useState<[string, string][]>([]);
  const [metric, setMetric] = useState<Metric>('opened');
  const [data, setData] = useState<S['InsightDaily'] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const filter: DailyFilter = { from, to, store };
  /* Head office may look at one store; a manager always sees their own. */
  useEffect(() => {
    if (user?.role === 'admin') listStores().then((r) => setStores(r.items.map((x) => [x.code, x.name]))).catch(() => setStores([]));
  }, [user?.role]);
  useEffect(() => {
    getDaily(filter).then((r) => { setData(r); setError(null); }).catch((e) => { setData(null); setError(asError(e)); });
  }, [from, to, store]);
  const what = t(`daily.m_${metric}`);
  return (
    <Page title={t('daily.title')}
      actions={<span class="actions">
        <a class="button secondary" href={dailyFileUrl(filter, 'csv')} download>{t('daily.csv')}</a>
        <a class="button secondary" href={dailyFileUrl(filter, 'xlsx')} download>{t('daily.xlsx')}</a>
      </span>}>
      <p class="muted">{t('daily.explain')}</p>
      <div class="filters">
        <Select label={t('daily.metric')} name="metric" value={metric} onChange={(v) => setMetric(v as Metric)}
          options={METRICS.map((m) => [m, t(`daily.m_${m}`)])} />
        {stores.length ? <Select label={t('nps.store')} name="store" value={store} onChange={setStore} error={error}
          options={[['', t('nps.all_stores')], ...stores]} /> : null}
        <PeriodFields from={from} to={to} setFrom={setFrom} setTo={setTo} error={error} />
      </div>
      <ErrorNote error={error} />
      {data ? <section class="card" aria-labelledby="h-daily">
        <h2 id="h-daily">{data.store_code ?? t('daily.chain')} · {data.from} – {data.to}</h2>
        <Chart days={data.days} metric={metric} title={`${what} · ${data.store_code ?? t('daily.chain')}`} />
        {data.chain ? <Chart days={data.chain.days} metric={metric} title={`${what} · ${t('daily.chain')}`} /> : null}
        <p class="muted small">{t('daily.legend')}</p>
      </section> : null}
      {data ? <section class="card" aria-labelledby="h-daily-totals">
        <h2 id="h-daily-totals">{t('daily.totals')}</h2>
        <Wide labelledBy="h-daily-totals"><Totals head={t('ref.category')} rows={[
          ...data.by_category.map((c) => ({ name: c.key || t('ref.no_category'), c })),
          { name: data.store_code ?? t('daily.chain'), c: data.total, total: true },
          ...(data.chain ? [{ name: t('daily.chain'), c: data.chain.total, total: true }] : []),
        ]} />
        {data.by_store ? <Totals head={t('nps.store')} rows={data.by_store.map((s) => ({ name: s.key, title: s.label, c: s }))} /> : null}</Wide>
      </section> : null}
    </Page>
  );
}
