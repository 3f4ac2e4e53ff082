// Referrals.tsx — referral outcomes for the store manager and head office:
// every referral of the period with whether the customer bought here again
// within 30, 90 and 180 days ("not yet known" while a window is open), and
// per category the share that came back beside the customers who were not
// referred, each with its number of cases and 95 % interval; then the
// matched comparison (per category and per kind of shop sent to): the
// referred customers' share back less that of comparable customers who were
// not referred, in points with its 95 % interval and n, or "not estimable"
// with the reason. A comparison, not proof: the screen says so.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, type S } from '../../api/client';
import { getReferrals, referralsFileUrl } from '../../api/insight';
import { lang, t } from '../../i18n';
import { asError, ErrorNote, Field, Page, ReplicaLag } from '../../ui';

const DAY = 86400000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const WINDOWS = ['30', '90', '180'] as const;
type Share = S['Share'];
type Matched = S['ReferralMatchedWindow'];

function back(v: boolean | null) {
  if (v === null) return <span class="muted">{t('ref.unknown')}</span>;
  return v ? <strong>{t('ref.yes')}</strong> : <span>{t('ref.no')}</span>;
}

function share(s: Share) {
  if (s.too_few || s.share === null) return <span class="muted">{t('ref.too_few', { n: s.n })}</span>;
  const pct = (v: number) => Math.round(v * 100).toLocaleString(lang.get() === 'en' ? 'en-GB' : 'nl-NL');
  return <>{pct(s.share)} % <span class="muted">({pct(s.low!)}–{pct(s.high!)} %, {s.k}/{s.n})</span></>;
}

/** The matched difference in points with its interval and n, or why there is none. */
function matched(m: Matched | undefined) {
  if (!m) return <span class="muted">—</span>;
  const n = t('ref.matched_n', { r: m.referred, c: m.compared });
  if (!m.estimable || !m.difference) {
    return <span class="nps-few" title={m.reason ?? undefined}>{t('gw.not_estimable')} <span class="muted">({n})</span></span>;
  }
  const pts = (v: number) => {
    const p = Math.round(v * 100);
    return `${p > 0 ? '+' : p < 0 ? '−' : ''}${Math.abs(p).toLocaleString(lang.get() === 'en' ? 'en-GB' : 'nl-NL')}`;
  };
  const d = m.difference;
  return <><strong>{t('ref.points', { v: pts(d.estimate) })}</strong>{' '}
    <span class="muted">({pts(d.low)} … {pts(d.high)}, {n})</span></>;
}

export function Referrals() {
  const today = Date.now();
  const [from, setFrom] = useState(isoDay(today - 364 * DAY));
  const [to, setTo] = useState(isoDay(today));
  const [data, setData] = useState<S['ReferralReport'] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    getReferrals({ from, to }).then((r) => { setData(r); setError(null); }).catch((e) => { setData(null); setError(asError(e)); });
  }, [from, to]);
  return (
    <Page title={t('ref.title')}>
      <p class="muted">{t('ref.explain')}</p>
      <div class="filters">
        <Field label={t('nps.from')} name="from" type="date" value={from} onInput={setFrom} error={error} />
        <Field label={t('nps.to')} name="to" type="date" value={to} onInput={setTo} error={error} />
      </div>
      <ErrorNote error={error} />
      <ReplicaLag ms={data?.replica_lag_ms} />
      {data && !data.items.length ? <p role="status">{t('ref.empty')}</p> : null}
      {data?.by_category.length ? <section class="card" aria-labelledby="h-ref-cat">
        <h2 id="h-ref-cat">{t('ref.by_category')}</h2>
        <table>
          <thead><tr><th scope="col">{t('ref.category')}</th>{WINDOWS.map((w) => <th scope="col">{t('ref.within', { n: w })}</th>)}</tr></thead>
          <tbody>
            {data.by_category.map((c) => <>
              <tr><th scope="row">{c.category || t('ref.no_category')} · {t('ref.referred')}</th>{WINDOWS.map((w) => <td>{share(c.referred[w])}</td>)}</tr>
              <tr><th scope="row">{c.category || t('ref.no_category')} · {t('ref.compared')}</th>{WINDOWS.map((w) => <td>{share(c.compared[w])}</td>)}</tr>
              <tr class="nps-total"><th scope="row">{c.category || t('ref.no_category')} · {t('ref.matched')}</th>
                {WINDOWS.map((w) => <td>{matched(c.matched?.[w])}</td>)}</tr>
            </>)}
          </tbody>
        </table>
        <p class="muted small">{t('ref.caveat', { min: data.min_answers })}</p>
        <p class="muted small">{t('ref.matched_caveat', { min: data.min_cases })}</p>
        <p><a class="button secondary" href={referralsFileUrl({ from, to }, 'csv', 'categories')} download>{t('nps.csv')}</a>{' '}
          <a class="button secondary" href={referralsFileUrl({ from, to }, 'xlsx')} download>{t('gw.xlsx')}</a></p>
      </section> : null}
      {data?.by_kind.length ? <section class="card" aria-labelledby="h-ref-kind">
        <h2 id="h-ref-kind">{t('ref.by_kind')}</h2>
        <table>
          <thead><tr><th scope="col">{t('ref.kind')}</th><th scope="col">{t('ref.referrals')}</th>
            {WINDOWS.map((w) => <th scope="col">{t('ref.within', { n: w })}</th>)}</tr></thead>
          <tbody>
            {data.by_kind.map((k) => <tr>
              <th scope="row">{k.category || t('ref.no_category')} · {t(`referral.${k.reason}`)}</th>
              <td class="num">{k.referrals}</td>
              {WINDOWS.map((w) => <td>{matched(k.matched[w])}</td>)}
            </tr>)}
          </tbody>
        </table>
      </section> : null}
      {data?.items.length ? <section class="card" aria-labelledby="h-ref-items">
        <h2 id="h-ref-items">{t('ref.items')}</h2>
        <table>
          <thead><tr><th scope="col">{t('ref.case')}</th><th scope="col">{t('ref.store')}</th><th scope="col">{t('ref.category')}</th>
            <th scope="col">{t('ref.to')}</th><th scope="col">{t('ref.resolved')}</th>
            {WINDOWS.map((w) => <th scope="col">{t('ref.back_within', { n: w })}</th>)}</tr></thead>
          <tbody>
            {data.items.map((k) => <tr>
              <td><a href={`/customers/${k.customer_id}`}>{k.customer_name || t('ref.customer')}</a> · <a href={`/cases/${k.case_id}`}>#{k.case_id}</a></td>
              <td>{k.store_code}</td><td>{k.category || t('ref.no_category')}</td>
              <td>{k.referred_to}{k.reason ? ` (${t(`referral.${k.reason}`)})` : ''}</td>
              <td>{new Date(k.resolved_at).toLocaleDateString(lang.get() === 'en' ? 'en-GB' : 'nl-NL')}</td>
              {WINDOWS.map((w) => <td>{back(k.came_back[w])}</td>)}
            </tr>)}
          </tbody>
        </table>
      </section> : null}
    </Page>
  );
}
