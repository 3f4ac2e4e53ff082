// Followups.tsx — the manager's queue of unhappy answers (open ones first,
// by due time, overdue marked) and one follow-up: the answer, the case, a
// contact, assignment while away, and closing with a root cause and a
// recovery (a goodwill credit note of the case issued right here), after
// which the customer is asked again.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, newKey, type S } from '../../api/client';
import { issueNote } from '../../api/creditNotes';
import { assignFollowup, closeFollowup, contactFollowup, followupReport, getFollowup, listFollowups, listRootCauses, type Recovery } from '../../api/followups';
import { listStaff } from '../../api/staff';
import { lang, parseEuros, t, when } from '../../i18n';
import { Link } from '../../shared';
import { useSignal } from '../../state';
import { amountError, asError, Badge, ErrorNote, Field, NoteIssued, Notice, Page, Select } from '../../ui';

function Score({ f }: { f: S['Followup'] }) {
  return <span class={`score score-${f.score <= 6 ? 'low' : 'mid'}`} aria-label={t('fb.score_label', { n: f.score })}>{f.score}</span>;
}

export function Followups() {
  const [status, setStatus] = useState('open');
  const [items, setItems] = useState<S['Followup'][] | null>(null);
  const [report, setReport] = useState<S['FollowupReport'] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    listFollowups({ status }).then((r) => { setItems(r.items); setError(null); }).catch((e) => setError(asError(e)));
  }, [status]);
  useEffect(() => { followupReport({ days: '90' }).then(setReport).catch(() => setReport(null)); }, []);
  return (
    <Page title={t('nav.followups')}>
      <div class="filters"><Select label={t('fb.show')} name="status" value={status} onChange={setStatus}
        options={[['open', t('fb.status_open')], ['closed', t('fb.status_closed')], ['all', t('fb.status_all')]]} /></div>
      <ErrorNote error={error} />
      {items && !items.length ? <p role="status">{t('fb.none')}</p> : null}
      {items?.length ? <table class="followups"><thead><tr><th>{t('fb.score')}</th><th>{t('case.customer')}</th><th>{t('fb.comment')}</th>
        <th>{t('case.status')}</th><th>{t('fb.due')}</th></tr></thead>
        <tbody>{items.map((f) => <tr class={f.overdue ? 'overdue' : ''}>
          <td><Score f={f} /></td>
          <td><Link to={`/followups/${f.id}`}>{f.customer_name}</Link> <span class="muted">#{f.case_id} · {t(`kind.${f.case_kind}`)}</span></td>
          <td>{f.comment ?? '—'}</td>
          <td><Badge kind={`followup-${f.status}`}>{t(`fb.status.${f.status}`)}</Badge>{f.reopened ? <> <Badge kind="followup-reopened">{t('fb.reopened')}</Badge></> : null}</td>
          <td>{f.status === 'closed' ? when(f.closed_at) : <>{when(f.due_at)}{f.overdue ? <> · <strong>{t('fb.overdue')}</strong></> : null}</>}</td>
        </tr>)}</tbody></table> : null}
      {report?.items.length ? <section class="card" aria-labelledby="h-fb-report"><h2 id="h-fb-report">{t('fb.report_title')}</h2>
        <table><thead><tr><th>{t('case.store')}</th><th class="num">{t('fb.opened')}</th><th class="num">{t('fb.within_24h')}</th>
          <th class="num">{t('fb.within_48h')}</th><th class="num">{t('fb.median_contact')}</th><th class="num">{t('fb.median_close')}</th></tr></thead>
          <tbody>{report.items.map((r) => <tr><td>{r.store_code}</td><td class="num">{r.opened}</td>
            <td class="num">{share(r.shares.contacted_within_24h)}</td><td class="num">{share(r.shares.contacted_within_48h)}</td>
            <td class="num">{hours(r.median_hours_to_contact)}</td><td class="num">{hours(r.median_hours_to_close)}</td></tr>)}</tbody></table>
      </section> : null}
    </Page>
  );
}

const pct = (x: number | null) => (x == null ? '—' : `${Math.round(x * 100)} %`);
/* A share with its 95 % interval, or "too few" below the minimum (nps.h). */
const share = (s: S['Share']) => (s.too_few ? <span class="nps-few">{t('nps.too_few')}</span>
  : <>{pct(s.share)} <span class="muted">({pct(s.low)} … {pct(s.high)})</span></>);
const hours = (h: number | null) => (h == null ? '—' : t('fb.hours', { n: h.toLocaleString(lang.get() === 'en' ? 'en-GB' : 'nl-NL') }));

const RECOVERIES: Recovery[] = ['call', 'credit_note', 'repair', 'none'];

export function FollowupView({ id }: { id: number }) {
  const l = useSignal(lang);
  const [f, setF] = useState<S['FollowupDetail'] | null>(null);
  const [causes, setCauses] = useState<S['RootCause'][]>([]);
  const [staff, setStaff] = useState<S['Staff'][]>([]);
  const [note, setNote] = useState('');
  const [close, setClose] = useState({ root_cause: '', action: '', recovery: 'call' as Recovery, euros: '' });
  const [issued, setIssued] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [key] = useState(() => newKey('close'));
  useEffect(() => {
    getFollowup(id).then(setF).catch((e) => setError(asError(e)));
    listRootCauses().then((r) => setCauses(r.items)).catch(() => setCauses([]));
  }, [id]);
  useEffect(() => { if (f) listStaff().then((r) => setStaff(r.items.filter((s) => s.active && s.store_code === f.store_code))).catch(() => setStaff([])); }, [f?.store_code]);
  const run = async (fn: () => Promise<S['FollowupDetail']>, what: string) => {
    try { setF(await fn()); setError(null); setDone(what); } catch (e) { setError(asError(e)); }
  };
  const causeName = (code: string) => causes.find((c) => c.code === code)?.[l === 'en' ? 'en' : 'nl'] ?? code;
  if (!f) return <Page title={t('nav.followups')}><ErrorNote error={error} />{error ? null : <p>{t('common.loading')}</p>}</Page>;
  const closed = f.status === 'closed';
  const submitClose = async (e: Event) => {
    e.preventDefault();
    let credit_note_id: number | undefined;
    if (close.recovery === 'credit_note') {
      const cents = parseEuros(close.euros);
      if (cents == null || cents <= 0) { setError(amountError('amount_cents')); return; }
      try {
        const n = await issueNote({ amount_cents: cents, reason: t('fb.note_reason', { id: f.case_id }), funding: 'goodwill',
          customer_id: f.customer_id, case_id: f.case_id, store_code: f.store_code }, `${key}-note-${cents}`);
        setIssued(n.code);
        credit_note_id = n.id;
      } catch (err) { setError(asError(err)); return; }
    }
    await run(() => closeFollowup(id, { root_cause: close.root_cause, action: close.action, recovery: close.recovery, credit_note_id }, key),
      'closed');
  };
  return (
    <Page title={f.customer_name} actions={<Link to={`/cases/${f.case_id}`} class="button">{t('fb.open_case')}</Link>}>
      <div class="card why">
        <p class="rec-main"><Score f={f} /> {f.comment ? `“${f.comment}”` : t('fb.no_comment')}</p>
        <p><Badge kind={`followup-${f.status}`}>{t(`fb.status.${f.status}`)}</Badge>{' '}
          {closed ? t('fb.closed_at', { at: when(f.closed_at) }) : t('fb.due_at', { at: when(f.due_at) })}
          {f.overdue ? <> · <strong>{t('fb.overdue')}</strong></> : null}
          {' · '}{f.assignee_login ? t('fb.assigned_to', { who: staff.find((s) => s.login === f.assignee_login)?.name ?? f.assignee_login }) : t('fb.for_managers')}</p>
        <p class="muted">#{f.case_id} · {t(`kind.${f.case_kind}`)} · {f.store_code}{f.round > 1 ? ` · ${t('fb.round', { n: f.round })}` : ''}</p>
      </div>
      {done ? <Notice kind="ok">{t(`fb.done.${done}`)}{done === 'closed' && f.asked_again ? ` ${t('fb.asked_again')}` : ''}</Notice> : null}
      {issued ? <NoteIssued code={issued} /> : null}
      <ErrorNote error={error} />
      {!closed ? <div class="grid2">
        <form class="card form" onSubmit={(e) => { e.preventDefault(); run(() => contactFollowup(id, note), 'contacted'); }} noValidate>
          <h2>{t('fb.contact_title')}</h2>
          <Field label={t('fb.contact_note')} name="note" value={note} onInput={setNote} error={error} textarea />
          <button type="submit">{t('fb.contact_save')}</button>
          <Select label={t('fb.assign')} name="staff_login" value={f.assignee_login ?? ''} error={error}
            onChange={(v) => run(() => assignFollowup(id, v || null), 'assigned')}
            options={[['', t('fb.for_managers')], ...staff.map((s) => [s.login, s.name] as [string, string])]} />
        </form>
        <form class="card form close" onSubmit={submitClose} noValidate>
          <h2>{t('fb.close_title')}</h2>
          <Select label={t('fb.root_cause')} name="root_cause" value={close.root_cause} error={error} onChange={(v) => setClose({ ...close, root_cause: v })}
            options={[['', t('fb.choose')], ...causes.map((c) => [c.code, l === 'en' ? c.en : c.nl] as [string, string])]} />
          <Field label={t('fb.action')} name="action" value={close.action} onInput={(v) => setClose({ ...close, action: v })} error={error} textarea required />
          <Select label={t('fb.recovery')} name="recovery" value={close.recovery} error={error} onChange={(v) => setClose({ ...close, recovery: v as Recovery })}
            options={RECOVERIES.map((r) => [r, t(`fb.recovery.${r}`)] as [string, string])} />
          {close.recovery === 'credit_note' ? <Field label={t('fb.note_amount')} name="amount_cents" value={close.euros} onInput={(v) => setClose({ ...close, euros: v })}
            error={error} inputMode="decimal" hint={t('fb.note_hint')} /> : null}
          <button type="submit" class="primary">{t('fb.close_save')}</button>
        </form>
      </div> : <section class="card"><h2>{t('fb.closed_title')}</h2><dl>
        <dt>{t('fb.root_cause')}</dt><dd>{causeName(f.root_cause ?? '')}</dd>
        <dt>{t('fb.action')}</dt><dd>{f.action}</dd>
        <dt>{t('fb.recovery')}</dt><dd>{f.recovery ? t(`fb.recovery.${f.recovery}`) : '—'}</dd></dl></section>}
      <h2>{t('fb.history')}</h2>
      <ol class="history">{f.events.map((e) => <li>{when(e.at)} · {t(`fb.event.${e.action}`)}{e.note ? ` · ${e.action === 'closed' ? causeName(e.note) : e.note}` : ''}</li>)}</ol>
      <p><Link to="/followups">{t('fb.back')}</Link></p>
    </Page>
  );
}
