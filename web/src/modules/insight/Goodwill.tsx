// Goodwill.tsx — goodwill economics for the store manager and head office:
// per store, category, policy version and month the goodwill given and the
// revenue its customers brought afterwards per euro of it, against
// comparable customers who got none — every figure with its 95 % interval
// as a whisker and its n, "not estimable" where there are too few
// comparable cases. The "one unhappy customer costs ten" multiplier is an
// editable field, labelled an assumption and shown apart from the data.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, type S } from '../../api/client';
import { getGoodwill, goodwillFileUrl, type GoodwillFilter } from '../../api/insight';
import { listStores } from '../../api/stores';
import { lang, t } from '../../i18n';
import { me } from '../../shared';
import { useSignal } from '../../state';
import { asError, ErrorNote, Field, Page, ReplicaLag, Select, Wide } from '../../ui';

const DAY = 86400000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
type Row = S['GoodwillRow'];
type Est = S['GoodwillEstimate'];
type Win = '90' | '180';
const PAGE = 40;                     /* rows shown at first; the file holds them all */

const locale = () => (lang.get() === 'en' ? 'en-GB' : 'nl-NL');
const euro = (cents: number) => (cents / 100).toLocaleString(locale(), { style: 'currency', currency: 'EUR' });
const dec = (v: number) => v.toLocaleString(locale(), { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/* The chart's scale: lo .. hi (euros per euro) over W pixels. */
const W = 160, H = 24, PAD = 6;   // narrow enough that the table fits beside the menu at 1280 px
interface Scale { lo: number; hi: number }
const xOf = (s: Scale, v: number) => PAD + ((v - s.lo) / (s.hi - s.lo || 1)) * (W - 2 * PAD);

/** The figure as a dot and its interval as a whisker, with zero marked. */
function Whisker({ e, s }: { e: Est; s: Scale }) {
  const p = e.per_euro!, mid = H / 2, x = (v: number) => xOf(s, v);
  return (
    <svg class="nps-bar" width={W} height={H} viewBox={`0 0 ${W} ${H}`} aria-hidden="true">
      <line x1={x(0)} x2={x(0)} y1={2} y2={H - 2} class="axis" />
      <line x1={x(p.low)} x2={x(p.high)} y1={mid} y2={mid} class="whisker" />
      <line x1={x(p.low)} x2={x(p.low)} y1={mid - 5} y2={mid + 5} class="whisker" />
      <line x1={x(p.high)} x2={x(p.high)} y1={mid - 5} y2={mid + 5} class="whisker" />
      <circle cx={x(p.estimate)} cy={mid} r={4} class={p.estimate >= 0 ? 'pos' : 'neg'} />
    </svg>
  );
}

function ScaleLabels({ s }: { s: Scale }) {
  return (
    <svg class="nps-bar" width={W} height={16} viewBox={`0 0 ${W} 16`} aria-hidden="true">
      <text x={PAD} y={12} text-anchor="start">{dec(s.lo)}</text>
      {s.lo < 0 && s.hi > 0 ? <text x={xOf(s, 0)} y={12} text-anchor="middle">0</text> : null}
      <text x={W - PAD} y={12} text-anchor="end">{dec(s.hi)}</text>
    </svg>
  );
}

function name(r: Row): string {
  if (r.scope === 'chain') return t('gw.chain');
  if (r.scope === 'store') return t('gw.store_total', { store: r.store_code ?? '' });
  return `${r.store_code} · ${r.month} · ${r.category || t('ref.no_category')} · ${t('gw.version', { v: r.policy_version ?? '' })}`;
}

function Line({ r, w, s, multiplier }: { r: Row; w: Win; s: Scale; multiplier: string }) {
  const e = r.after[w];
  const p = e.per_euro;
  return (
    <tr class={r.scope !== 'row' ? 'nps-total' : undefined}>
      <th scope="row">{name(r)}</th>
      <td class="num">{euro(r.goodwill_cents.total)} <span class="muted">({r.goodwill_cases}/{r.cases})</span></td>
      <td>{e.estimable && p ? <Whisker e={e} s={s} /> :
        <span class="nps-few" title={e.reason ?? undefined}>{t('gw.not_estimable')}</span>}</td>
      <td class="num">{e.estimable && p ? <><strong>{dec(p.estimate)}</strong> <span class="muted">({dec(p.low)} … {dec(p.high)})</span></> : '—'}</td>
      <td class="num" aria-label={t('gw.n_label', { given: e.given, compared: e.compared })}>
        n = {e.given} / {e.compared}{e.open ? <span class="muted open-count">{t('gw.open', { n: e.open })}</span> : null}</td>
      <td class="num assumption">{e.estimable && e.assumed_per_euro ?
        <>{dec(e.assumed_per_euro.estimate)} <span class="muted">({dec(e.assumed_per_euro.low)} … {dec(e.assumed_per_euro.high)})</span></> :
        '—'}<span class="sr-only"> {t('gw.assumed_sr', { m: multiplier })}</span></td>
    </tr>
  );
}

export function Goodwill() {
  const user = useSignal(me);
  const today = Date.now();
  const [from, setFrom] = useState(isoDay(today - 364 * DAY));
  const [to, setTo] = useState(isoDay(today));
  const [store, setStore] = useState('');
  const [stores, setStores] = useState<[string, string][]>([]);
  const [multiplier, setMultiplier] = useState('10');
  const [w, setW] = useState<Win>('90');
  const [data, setData] = useState<S['GoodwillReport'] | null>(null);
  const [limit, setLimit] = useState(PAGE);
  const [error, setError] = useState<ApiError | null>(null);
  const filter: GoodwillFilter = { from, to, store, multiplier };
  useEffect(() => {
    if (user?.role === 'admin') listStores().then((r) => setStores(r.items.map((x) => [x.code, x.name]))).catch(() => setStores([]));
  }, [user?.role]);
  useEffect(() => {
    getGoodwill(filter).then((r) => { setData(r); setError(null); }).catch((e) => { setData(null); setError(asError(e)); });
  }, [from, to, store, multiplier]);
  /* The totals first, then the groups that gave goodwill (a group without
   * any has nothing to estimate), a page at a time. */
  const groups = data ? data.rows.filter((r) => r.goodwill_cases > 0) : [];
  const rows: Row[] = data ? [data.chain, ...(data.store ? [data.store] : []), ...groups.slice(0, limit)] : [];
  const shown = rows.map((r) => r.after[w]).filter((e) => e.estimable && e.per_euro);
  const s: Scale = {
    lo: Math.min(0, ...shown.map((e) => e.per_euro!.low)),
    hi: Math.max(0, ...shown.map((e) => e.per_euro!.high)),
  };
  if (s.hi - s.lo < 1) s.hi = s.lo + 1;
  return (
    <Page title={t('gw.title')}
      actions={<div>
        <a class="button secondary" href={goodwillFileUrl(filter, 'csv')} download>{t('nps.csv')}</a>{' '}
        <a class="button secondary" href={goodwillFileUrl(filter, 'xlsx')} download>{t('gw.xlsx')}</a>
      </div>}>
      <p class="muted">{t('gw.explain')}</p>
      <ReplicaLag ms={data?.replica_lag_ms} />
      <div class="filters">
        {stores.length ? <Select label={t('nps.store')} name="store" value={store} onChange={setStore} error={error}
          options={[['', t('nps.all_stores')], ...stores]} /> : null}
        <Field label={t('nps.from')} name="from" type="date" value={from} onInput={setFrom} error={error} />
        <Field label={t('nps.to')} name="to" type="date" value={to} onInput={setTo} error={error} />
        <div class="field" role="radiogroup" aria-label={t('gw.window')}>
          <span class="label">{t('gw.window')}</span>
          <div class="segmented">{(['90', '180'] as Win[]).map((d) => <button type="button" role="radio" aria-checked={w === d}
            class={w === d ? 'on' : ''} onClick={() => setW(d)}>{t('gw.days', { n: d })}</button>)}</div>
        </div>
        <div class="assumption-field">
          <Field label={t('gw.multiplier')} name="multiplier" type="number" inputMode="decimal" value={multiplier}
            onInput={setMultiplier} error={error} hint={t('gw.multiplier_hint')} />
        </div>
      </div>
      <ErrorNote error={error} />
      {data && !data.chain.cases ? <p role="status">{t('gw.empty')}</p> : null}
      {data && data.chain.cases ? <section class="card" aria-labelledby="h-gw">
        <h2 id="h-gw">{t('gw.heading', { n: w })} · {data.from} – {data.to}{data.store_code ? ` · ${data.store_code}` : ''}</h2>
        <Wide labelledBy="h-gw"><table class="nps goodwill">
          <thead><tr>
            <th scope="col">{t('gw.group')}</th>
            <th scope="col" class="num">{t('gw.given')}</th>
            <th scope="col"><ScaleLabels s={s} /><span class="sr-only">{t('gw.per_euro')}</span></th>
            <th scope="col" class="num">{t('gw.per_euro')}</th>
            <th scope="col" class="num">{t('gw.n')}</th>
            <th scope="col" class="num assumption">{t('gw.assumed', { m: multiplier })}</th>
          </tr></thead>
          <tbody>{rows.map((r) => <Line r={r} w={w} s={s} multiplier={multiplier} />)}</tbody>
        </table></Wide>
        {groups.length > limit ? <p><button type="button" class="secondary" onClick={() => setLimit(limit + PAGE)}>
          {t('gw.show_more', { n: Math.min(limit, groups.length), total: groups.length })}</button></p> : null}
        {data.rows_total > data.rows.length ? <p class="muted small">{t('gw.more_rows', { n: data.rows.length, total: data.rows_total })}</p> : null}
        <p class="muted small">{t('gw.legend', { min: data.min_cases, open: data.compared.open[w] ?? 0 })}</p>
        <p class="muted small assumption">{t('gw.assumption_note', { m: multiplier })}</p>
      </section> : null}
    </Page>
  );
}
