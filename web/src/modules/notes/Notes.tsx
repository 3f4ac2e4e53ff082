// Notes.tsx — credit notes: look one up by its code (typed or scanned),
// redeem part of it, see its history, print it; issue a new one.
import { useState } from 'preact/hooks';
import { ApiError, newKey, type S } from '../../api/client';
import { issueNote, lookUpNote, redeemNote } from '../../api/creditNotes';
import { money, parseEuros, t, when } from '../../i18n';
import { me } from '../../shared';
import { useSignal } from '../../state';
import { amountError, asError, Badge, ErrorNote, Field, NoteIssued, Page, printNote } from '../../ui';

export function Notes() {
  const user = useSignal(me);
  const [code, setCode] = useState('');
  const [note, setNote] = useState<S['CreditNoteWithHistory'] | null>(null);
  const [shown, setShown] = useState('');
  const [amount, setAmount] = useState('');
  const [till, setTill] = useState('');
  const [issueAmount, setIssueAmount] = useState('');
  const [reason, setReason] = useState('');
  const [issued, setIssued] = useState<S['IssuedCreditNote'] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [issueError, setIssueError] = useState<ApiError | null>(null);
  const [redeemKey, setRedeemKey] = useState(() => newKey('redeem'));
  const [issueKey, setIssueKey] = useState(() => newKey('issue'));
  const lookup = async (c: string) => {
    setError(null);
    try {
      const n = await lookUpNote({ code: c.trim() });
      setNote(n);
      setShown(c.trim().toUpperCase());
    } catch (e) { setNote(null); setError(asError(e)); }
  };
  const redeem = async (e: Event) => {
    e.preventDefault();
    const cents = parseEuros(amount);
    if (cents === null) { setError(amountError('amount_cents')); return; }
    try {
      await redeemNote({ code: shown, amount_cents: cents, store_code: user?.store_code ?? '', ...(till ? { till_reference: till } : {}) },
        redeemKey);
      setRedeemKey(newKey('redeem'));
      setAmount('');
      await lookup(shown);
    } catch (e2) { setError(asError(e2)); }
  };
  const issue = async (e: Event) => {
    e.preventDefault();
    const cents = parseEuros(issueAmount);
    if (cents === null) { setIssueError(amountError('amount_cents')); return; }
    try {
      setIssued(await issueNote({ amount_cents: cents, reason }, issueKey));
      setIssueKey(newKey('issue'));
      setIssueError(null);
    } catch (e2) { setIssueError(asError(e2)); }
  };
  return (
    <Page title={t('note.title')}>
      <form class="card form" role="search" onSubmit={(e) => { e.preventDefault(); lookup(code); }}>
        <Field label={t('note.code')} name="code" value={code} onInput={setCode} autoFocus hint={t('note.code_hint')} autoComplete="off" />
        <button type="submit" class="primary">{t('note.lookup')}</button>
      </form>
      <ErrorNote error={error} />
      {note ? (
        <div class="card" aria-labelledby="note-title">
          <h2 id="note-title">{t('note.balance')}: {money(note.balance_cents)} <Badge kind={note.status}>{t(`note_status.${note.status}`)}</Badge></h2>
          <p>{t('note.original')}: {money(note.amount_cents)} · {t('note.expires')}: {when(note.expires_at)} ·{' '}
            <button type="button" class="link" onClick={() => printNote(shown).catch((e2) => setError(asError(e2)))}>{t('note.print')}</button></p>
          {note.balance_cents > 0 ? (
            <form class="form inline" onSubmit={redeem} noValidate>
              <Field label={t('note.redeem_amount')} name="amount_cents" value={amount} onInput={setAmount} inputMode="decimal" error={error} />
              <Field label={t('note.till')} name="till_reference" value={till} onInput={setTill} error={error} />
              <button type="submit" class="primary">{t('note.redeem')}</button>
            </form>) : null}
          <h3>{t('note.history')}</h3>
          <table><thead><tr><th>{t('note.when')}</th><th>{t('note.what')}</th><th class="num">{t('note.change')}</th><th>{t('case.store')}</th></tr></thead>
            <tbody>{note.history.map((h) => <tr><td>{when(h.at)}</td><td>{t(`note_event.${h.kind}`)}</td>
              <td class="num">{money(h.delta_cents)}</td><td>{h.store_code ?? ''}</td></tr>)}</tbody></table>
        </div>) : null}
      <form class="card form" onSubmit={issue} noValidate aria-labelledby="issue-title">
        <h2 id="issue-title">{t('note.issue_title')}</h2>
        <Field label={t('note.amount')} name="amount_cents" value={issueAmount} onInput={setIssueAmount} inputMode="decimal" error={issueError} />
        <Field label={t('note.reason')} name="reason" value={reason} onInput={setReason} error={issueError} />
        <ErrorNote error={issueError} />
        <button type="submit">{t('note.issue')}</button>
        {issued ? <NoteIssued code={issued.code} /> : null}
      </form>
    </Page>
  );
}
