// Manager.tsx — the approvals queue, repairs in progress, the store's case
// list with filters, and a small dashboard (cases and credit per day).
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { ApiError, type S } from '../../api/client';
import { listApprovals, listCases } from '../../api/cases';
import { listOpenRepairs } from '../../api/repairs';
import { getDashboard } from '../../api/stores';
import { day, lang, money, t, when } from '../../i18n';
import { me, Link } from '../../shared';
import { useSignal } from '../../state';
import { asError, Badge, ErrorNote, Field, Page, Select } from '../../ui';
import { RepairBox } from '../desk/Case';

function CaseTable({ items }: { items: S['CaseSummary'][] }) {
  if (!items.length) return <p role="status">{t('cases.none')}</p>;
  return (
    <table><thead><tr><th>{t('case.id')}</th><th>{t('case.kind')}</th><th>{t('case.status')}</th><th>{t('case.store')}</th>
      <th>{t('case.associate')}</th><th>{t('case.opened')}</th><th>{t('case.chosen')}</th></tr></thead>
      <tbody>{items.map((k) => <tr>
        <td><Link to={`/cases/${k.id}`}>#{k.id}</Link></td><td>{t(`kind.${k.kind}`)}</td>
        <td><Badge kind={k.status}>{t(`status.${k.status}`)}</Badge></td><td>{k.store_code}</td><td>{k.associate}</td>
        <td>{when(k.created_at)}</td>
        <td>{k.resolution ? `${t(`resolution.${k.resolution.resolution}`)} · ${money(k.resolution.amount_cents)}` : '—'}</td></tr>)}</tbody></table>
  );
}

export function Approvals() {
  const [items, setItems] = useState<S['CaseSummary'][] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => { listApprovals().then((r) => setItems(r.items)).catch((e) => setError(asError(e))); }, []);
  return <Page title={t('nav.approvals')}><ErrorNote error={error} />{items ? <CaseTable items={items} /> : null}</Page>;
}

export function Repairs() {
  const [items, setItems] = useState<S['Repair'][] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const load = () => listOpenRepairs().then((r) => setItems(r.items)).catch((e) => setError(asError(e)));
  useEffect(() => { load(); }, []);
  return (
    <Page title={t('nav.repairs')}>
      <ErrorNote error={error} />
      {items && !items.length ? <p role="status">{t('repair.none')}</p> : null}
      {items?.map((r) => <div>
        <p><Link to={`/cases/${r.case_id}`}>#{r.case_id}</Link> · {r.description ?? ''} · {t('repair.since', { date: day(r.created_at) })}</p>
        <RepairBox repair={r} onChange={load} /></div>)}
    </Page>
  );
}

export function CaseList() {
  const [f, setF] = useState({ status: '', kind: '', associate: '', from: '', to: '' });
  const [items, setItems] = useState<S['CaseSummary'][] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const load = async (more = false) => {
    try {
      const r = await listCases({ ...f, cursor: more ? next ?? undefined : undefined });
      setItems(more && items ? [...items, ...r.items] : r.items);
      setNext(r.next);
      setError(null);
    } catch (e) { setError(asError(e)); }
  };
  useEffect(() => { load(); }, []);
  const set = (k: keyof typeof f) => (v: string) => setF({ ...f, [k]: v });
  return (
    <Page title={t('nav.cases')}>
      <form class="card filters" onSubmit={(e) => { e.preventDefault(); load(); }}>
        <Select label={t('case.status')} name="status" value={f.status} onChange={set('status')} error={error}
          options={[['', t('common.any')], ...['open', 'awaiting_approval', 'resolved', 'followed_up', 'cancelled'].map((s) => [s, t(`status.${s}`)] as [string, string])]} />
        <Select label={t('case.kind')} name="kind" value={f.kind} onChange={set('kind')} error={error}
          options={[['', t('common.any')], ...['return', 'exchange', 'repair', 'complaint', 'price_adjustment', 'referral'].map((s) => [s, t(`kind.${s}`)] as [string, string])]} />
        <Field label={t('case.associate')} name="associate" value={f.associate} onInput={set('associate')} error={error} />
        <Field label={t('cases.from')} name="from" type="date" value={f.from} onInput={set('from')} error={error} />
        <Field label={t('cases.to')} name="to" type="date" value={f.to} onInput={set('to')} error={error} />
        <button type="submit" class="primary">{t('cases.filter')}</button>
      </form>
      <ErrorNote error={error} />
      {items ? <CaseTable items={items} /> : null}
      {next ? <button onClick={() => load(true)}>{t('cases.more')}</button> : null}
    </Page>
  );
}

function Chart({ days }: { days: S['DashboardDay'][] }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    const xs = days.map((d) => Date.parse(d.date) / 1000);
    // The card's inner width: clientWidth counts its padding, and a plot
    // that wide stuck out of the card on the right.
    const box = getComputedStyle(ref.current);
    const inner = ref.current.clientWidth - parseFloat(box.paddingLeft) - parseFloat(box.paddingRight);
    const plot = new uPlot({
      width: Math.min(900, inner > 0 ? inner : 800), height: 260,
      series: [{ label: t('dash.date'), value: (_u, v) => (v == null ? '' : day(new Date(v * 1000).toISOString())) },
        { label: t('dash.cases'), stroke: '#1d4ed8', width: 2, scale: 'n' },
        { label: t('dash.credit'), stroke: '#b45309', width: 2, scale: 'eur', value: (_u, v) => (v == null ? '' : money(v * 100)) }],
      axes: [{ values: (_u, vals) => vals.map((v) => new Date(v * 1000).toLocaleDateString(lang.get() === 'nl' ? 'nl-NL' : 'en-GB', { day: 'numeric', month: 'short' })) },
        { scale: 'n', label: t('dash.cases') }, { scale: 'eur', side: 1, label: t('dash.credit'), grid: { show: false } }],
      scales: { x: { time: true } },
    }, [xs, days.map((d) => d.cases), days.map((d) => d.credit_issued_cents / 100)], ref.current);
    return () => plot.destroy();
  }, [days]);
  return <div ref={ref} class="chart" role="img" aria-label={t('dash.chart_label')} />;
}

export function Dashboard() {
  const user = useSignal(me);
  const [store, setStore] = useState(user?.store_code ?? '');
  const [d, setD] = useState<S['Dashboard'] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const load = (code: string) => getDashboard(code)
    .then((r) => { setD(r); setError(null); }).catch((e) => setError(asError(e)));
  useEffect(() => { if (store) load(store); }, []);
  const total = d ? d.days.reduce((s, x) => s + x.credit_issued_cents, 0) : 0;
  return (
    <Page title={t('nav.dashboard')}>
      {user?.role === 'admin' ? <form class="filters" onSubmit={(e) => { e.preventDefault(); load(store); }}>
        <Field label={t('case.store')} name="store_code" value={store} onInput={setStore} error={error} />
        <button type="submit">{t('cases.filter')}</button></form> : null}
      <ErrorNote error={error} />
      {d ? <>
        <div class="tiles">
          <div class="tile"><span>{t('dash.approvals')}</span><strong>{d.approvals_waiting}</strong></div>
          <div class="tile"><span>{t('dash.repairs_open')}</span><strong>{d.repairs_open}</strong></div>
          <div class="tile"><span>{t('dash.repairs_overdue')}</span><strong>{d.repairs_overdue}</strong></div>
          <div class="tile"><span>{t('dash.credit_30')}</span><strong>{money(total)}</strong></div>
        </div>
        <h2>{t('dash.per_day', { store: d.store_code })}</h2>
        <Chart days={d.days} />
      </> : null}
    </Page>
  );
}
