// Nps.tsx — the NPS dashboard: the customers' answers per store, category,
// associate, case kind or resolution over a period. Every figure shows its
// number of answers and its 95 % interval as a whisker around the bar;
// below the minimum it says "too few answers" instead of a bar. Rows come
// sorted by name, never by score: the associate view is for coaching, not
// a ranking, and an associate sees only their own figure. A link downloads
// the same figures as a CSV file for Dutch Excel.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, type S } from '../../api/client';
import { getNps, npsCsvUrl, type NpsBy, type NpsFilter } from '../../api/nps';
import { listStores } from '../../api/stores';
import { lang, t } from '../../i18n';
import { me } from '../../shared';
import { useSignal } from '../../state';
import { asError, DAY_MS, ErrorNote, isoDay, Page, PeriodFields, ReplicaLag, Select } from '../../ui';

const DIMS: NpsBy[] = ['store', 'category', 'associate', 'kind', 'resolution'];
const DAY = DAY_MS;

/* The chart's scale: -100 .. 100 over W pixels. */
const W = 320, H = 26, PAD = 6;
const x = (v: number) => PAD + ((v + 100) / 200) * (W - 2 * PAD);
const num = (v: number) => v.toLocaleString(lang.get() === 'en' ? 'en-GB' : 'nl-NL', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

function label(by: NpsBy, r: S['NpsRow']): string {
  if (!r.key) return t('nps.none');
  if (by === 'kind') return t(`kind.${r.key}`);
  if (by === 'resolution') return t(`resolution.${r.key}`);
  return r.label;
}

/** One figure: a bar from 0 to the NPS and the interval as a whisker. */
function Bar({ f }: { f: S['NpsFigure'] }) {
  const score = f.score ?? 0, low = f.low ?? 0, high = f.high ?? 0, mid = H / 2;
  return (
    <svg class="nps-bar" width={W} height={H} viewBox={`0 0 ${W} ${H}`} aria-hidden="true">
      {[-100, -50, 0, 50, 100].map((v) => <line x1={x(v)} x2={x(v)} y1={2} y2={H - 2} class={v === 0 ? 'axis' : 'grid'} />)}
      <rect x={Math.min(x(0), x(score))} y={mid - 6} width={Math.max(1, Math.abs(x(score) - x(0)))} height={12}
        class={score >= 0 ? 'pos' : 'neg'} />
      <line x1={x(low)} x2={x(high)} y1={mid} y2={mid} class="whisker" />
      <line x1={x(low)} x2={x(low)} y1={mid - 5} y2={mid + 5} class="whisker" />
      <line x1={x(high)} x2={x(high)} y1={mid - 5} y2={mid + 5} class="whisker" />
    </svg>
  );
}

function Scale() {
  return (
    <svg class="nps-bar" width={W} height={16} viewBox={`0 0 ${W} 16`} aria-hidden="true">
      {[-100, -50, 0, 50, 100].map((v) => <text x={x(v)} y={12} text-anchor={v === -100 ? 'start' : v === 100 ? 'end' : 'middle'}>{v > 0 ? `+${v}` : v}</text>)}
    </svg>
  );
}

function Row({ name, f, total }: { name: string; f: S['NpsFigure']; total?: boolean }) {
  return (
    <tr class={total ? 'nps-total' : undefined}>
      <th scope="row">{name}</th>
      <td>{f.too_few ? <span class="nps-few">{t('nps.too_few')}</span> : <Bar f={f} />}</td>
      <td class="num">{f.too_few ? '—' : <><strong>{num(f.score!)}</strong> <span class="muted">({num(f.low!)} … {num(f.high!)})</span></>}</td>
      <td class="num" aria-label={t('nps.n_label', { n: f.n })}>n = {f.n}</td>
    </tr>
  );
}

export function Nps() {
  const user = useSignal(me);
  const coaching = user?.role === 'associate';
  const today = Date.now();
  const [by, setBy] = useState<NpsBy>(coaching ? 'associate' : 'store');
  const [from, setFrom] = useState(isoDay(today - 89 * DAY));
  const [to, setTo] = useState(isoDay(today));
  const [store, setStore] = useState('');
  const [stores, setStores] = useState<[string, string][]>([]);
  const [data, setData] = useState<S['NpsReport'] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const filter: NpsFilter = { by, from, to, store };
  /* Head office may look at one store; a manager always sees their own. */
  useEffect(() => {
    if (user?.role === 'admin') listStores().then((r) => setStores(r.items.map((x) => [x.code, x.name]))).catch(() => setStores([]));
  }, [user?.role]);
  useEffect(() => {
    getNps(filter).then((r) => { setData(r); setError(null); }).catch((e) => { setData(null); setError(asError(e)); });
  }, [by, from, to, store]);
  return (
    <Page title={coaching ? t('nps.mine_title') : t('nps.title')}
      actions={<a class="button secondary" href={npsCsvUrl(filter)} download>{t('nps.csv')}</a>}>
      <p class="muted">{coaching ? t('nps.mine_explain') : t('nps.explain', { min: data?.min_answers ?? 30 })}</p>
      <div class="filters">
        {coaching ? null : <div class="field" role="radiogroup" aria-label={t('nps.by')}>
          <span class="label">{t('nps.by')}</span>
          <div class="segmented">{DIMS.map((d) => <button type="button" role="radio" aria-checked={by === d}
            class={by === d ? 'on' : ''} onClick={() => setBy(d)}>{t(`nps.by_${d}`)}</button>)}</div>
        </div>}
        {stores.length ? <Select label={t('nps.store')} name="store" value={store} onChange={setStore} error={error}
          options={[['', t('nps.all_stores')], ...stores]} /> : null}
        <PeriodFields from={from} to={to} setFrom={setFrom} setTo={setTo} error={error} quick={!coaching} />
      </div>
      <ErrorNote error={error} />
      <ReplicaLag ms={data?.replica_lag_ms} />
      {data && !data.items.length ? <p role="status">{t('nps.empty')}</p> : null}
      {data?.items.length ? <section class="card" aria-labelledby="h-nps">
        <h2 id="h-nps">{t(`nps.by_${data.by}`)} · {data.from} – {data.to}{data.store_code ? ` · ${data.store_code}` : ''}</h2>
        <table class="nps">
          <thead><tr><th scope="col">{t(`nps.by_${data.by}`)}</th><th scope="col"><Scale /><span class="sr-only">NPS</span></th>
            <th scope="col" class="num">{t('nps.score')}</th><th scope="col" class="num">{t('nps.n')}</th></tr></thead>
          <tbody>
            {data.items.map((r) => <Row name={label(data.by, r)} f={r} />)}
            {data.items.length > 1 ? <Row name={t('nps.total')} f={data.total} total /> : null}
          </tbody>
        </table>
        <p class="muted small">{t('nps.legend')}</p>
      </section> : null}
    </Page>
  );
}
