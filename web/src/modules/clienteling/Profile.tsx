// Profile.tsx — the customer's clienteling profile beside their desk
// profile: their book, sizes per category (stated or learned, shown which),
// likes and dislikes, important dates, notes, and the objection to
// profiling (GDPR art. 21). Every edit answers with the whole profile.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, type S } from '../../api/client';
import { addDate, addNote, deleteDate, getProfile, putBook, putObjection, putPreference, putSize } from '../../api/books';
import { getCustomer } from '../../api/customers';
import { t, when } from '../../i18n';
import { me } from '../../shared';
import { useSignal } from '../../state';
import { asError, Badge, ErrorNote, Field, Page, Select } from '../../ui';
import { CustomerTabs } from '../desk/Customer';

type Edit = (id: number) => Promise<S['Profile']>;

/** One small form of the profile: its own error, cleared on success. */
function useEdit(setP: (p: S['Profile']) => void, id: number) {
  const [error, setError] = useState<ApiError | null>(null);
  const run = async (fn: Edit) => {
    try { setP(await fn(id)); setError(null); return true; } catch (e) { setError(asError(e)); return false; }
  };
  return [error, run] as const;
}

function Sizes({ p, id, setP }: { p: S['Profile']; id: number; setP: (p: S['Profile']) => void }) {
  const [f, setF] = useState({ category: '', size: '' });
  const [error, run] = useEdit(setP, id);
  return (
    <section class="card" aria-labelledby="h-sizes">
      <h2 id="h-sizes">{t('cl.sizes')}</h2>
      {p.sizes.length ? <table><thead><tr><th>{t('cl.category')}</th><th>{t('cl.size')}</th><th>{t('cl.source')}</th><th><span class="sr-only">{t('cl.actions')}</span></th></tr></thead>
        <tbody>{p.sizes.map((s) => <tr><td>{s.category}</td><td><strong>{s.size}</strong></td>
          <td><Badge kind={`size-${s.source}`}>{t(`cl.source.${s.source}`)}</Badge></td>
          <td>{s.source === 'stated' ? <button type="button" class="link" onClick={() => run((i) => putSize(i, s.category, null))}>
            {t('cl.remove')}<span class="sr-only"> {s.category}</span></button> : null}</td></tr>)}</tbody></table> : <p>{t('cl.no_sizes')}</p>}
      <form class="form inline" onSubmit={async (e) => { e.preventDefault(); if (await run((i) => putSize(i, f.category, f.size))) setF({ category: '', size: '' }); }}>
        <Field label={t('cl.category')} name="size-category" errorName="category" value={f.category} onInput={(v) => setF({ ...f, category: v })} error={error} />
        <Field label={t('cl.size')} name="size-size" errorName="size" value={f.size} onInput={(v) => setF({ ...f, size: v })} error={error} />
        <button type="submit">{t('cl.size_save')}</button>
      </form>
      <ErrorNote error={error} />
    </section>
  );
}

const KINDS = ['brand', 'category', 'colour', 'style'] as const;

function Preferences({ p, id, setP }: { p: S['Profile']; id: number; setP: (p: S['Profile']) => void }) {
  const [f, setF] = useState<S['PreferenceSet']>({ kind: 'brand', value: '', sentiment: 'like' });
  const [error, run] = useEdit(setP, id);
  const list = (items: S['Preference'][], sentiment: 'like' | 'dislike') => items.length ? (
    <ul class="prefs">{items.map((x) => <li><span class="muted">{t(`cl.kind.${x.kind}`)}:</span> {x.value}{' '}
      <button type="button" class="link" onClick={() => run((i) => putPreference(i, { kind: x.kind, value: x.value, sentiment: 'none' }))}>
        {t('cl.remove')}<span class="sr-only"> {x.value} ({t(`cl.${sentiment}s`)})</span></button></li>)}</ul>) : <p class="muted">{t('cl.none_yet')}</p>;
  return (
    <section class="card" aria-labelledby="h-prefs">
      <h2 id="h-prefs">{t('cl.preferences')}</h2>
      <div class="grid2">
        <div><h3>{t('cl.likes')}</h3>{list(p.likes, 'like')}</div>
        <div><h3>{t('cl.dislikes')}</h3>{list(p.dislikes, 'dislike')}</div>
      </div>
      <form class="form inline" onSubmit={async (e) => { e.preventDefault(); if (await run((i) => putPreference(i, f))) setF({ ...f, value: '' }); }}>
        <Select label={t('cl.pref_kind')} name="pref-kind" errorName="kind" value={f.kind} error={error}
          onChange={(v) => setF({ ...f, kind: v as S['PreferenceSet']['kind'] })} options={KINDS.map((k) => [k, t(`cl.kind.${k}`)])} />
        <Field label={t('cl.pref_value')} name="pref-value" errorName="value" value={f.value} onInput={(v) => setF({ ...f, value: v })} error={error} />
        <Select label={t('cl.pref_sentiment')} name="pref-sentiment" errorName="sentiment" value={f.sentiment} error={error}
          onChange={(v) => setF({ ...f, sentiment: v as S['PreferenceSet']['sentiment'] })} options={[['like', t('cl.like')], ['dislike', t('cl.dislike')]]} />
        <button type="submit">{t('cl.pref_save')}</button>
      </form>
      <ErrorNote error={error} />
    </section>
  );
}

function Dates({ p, id, setP }: { p: S['Profile']; id: number; setP: (p: S['Profile']) => void }) {
  const [f, setF] = useState({ kind: 'birthday', month: '', day: '', label: '' });
  const [error, run] = useEdit(setP, id);
  const submit = async (e: Event) => {
    e.preventDefault();
    const body: S['DateInput'] = { kind: f.kind as S['DateInput']['kind'], month: Number(f.month) || 0, day: Number(f.day) || 0, label: f.label };
    if (await run((i) => addDate(i, body))) setF({ kind: 'birthday', month: '', day: '', label: '' });
  };
  return (
    <section class="card" aria-labelledby="h-dates">
      <h2 id="h-dates">{t('cl.dates')}</h2>
      {p.dates.length ? <ul class="prefs">{p.dates.map((d) => <li>{t(`cl.date.${d.kind}`)}: {d.day}-{d.month}{d.label ? ` · ${d.label}` : ''}{' '}
        <button type="button" class="link" onClick={() => run((i) => deleteDate(i, d.id))}>{t('cl.remove')}<span class="sr-only"> {t(`cl.date.${d.kind}`)}</span></button></li>)}</ul>
        : <p class="muted">{t('cl.none_yet')}</p>}
      <form class="form inline" onSubmit={submit}>
        <Select label={t('cl.date_kind')} name="date-kind" errorName="kind" value={f.kind} onChange={(v) => setF({ ...f, kind: v })} error={error}
          options={['birthday', 'anniversary', 'other'].map((k) => [k, t(`cl.date.${k}`)] as [string, string])} />
        <Field label={t('cl.day')} name="date-day" errorName="day" value={f.day} onInput={(v) => setF({ ...f, day: v })} error={error} inputMode="numeric" />
        <Field label={t('cl.month')} name="date-month" errorName="month" value={f.month} onInput={(v) => setF({ ...f, month: v })} error={error} inputMode="numeric" />
        <Field label={t('cl.date_label')} name="date-label" errorName="label" value={f.label} onInput={(v) => setF({ ...f, label: v })} error={error} />
        <button type="submit">{t('cl.date_add')}</button>
      </form>
      <ErrorNote error={error} />
    </section>
  );
}

function Notes({ p, id, setP }: { p: S['Profile']; id: number; setP: (p: S['Profile']) => void }) {
  const [text, setText] = useState('');
  const [error, run] = useEdit(setP, id);
  return (
    <section class="card" aria-labelledby="h-notes">
      <h2 id="h-notes">{t('cl.notes')}</h2>
      <form class="form" onSubmit={async (e) => { e.preventDefault(); if (await run((i) => addNote(i, { text }))) setText(''); }}>
        <Field label={t('cl.note_new')} name="note-text" errorName="text" value={text} onInput={setText} error={error} textarea />
        <div><button type="submit">{t('cl.note_add')}</button></div>
      </form>
      <ErrorNote error={error} />
      {p.notes.length ? <ul class="notes">{p.notes.map((n) => <li><p>{n.text}</p><span class="muted">{n.staff_login ?? '—'} · {when(n.at)}</span></li>)}</ul> : null}
    </section>
  );
}

function Objection({ p, id, setP }: { p: S['Profile']; id: number; setP: (p: S['Profile']) => void }) {
  const [error, run] = useEdit(setP, id);
  const on = !!p.objection;
  return (
    <section class={`card${on ? ' objected' : ''}`} aria-labelledby="h-objection">
      <h2 id="h-objection">{t('cl.objection')}</h2>
      <div class="check"><input id="objection" type="checkbox" checked={on}
        onChange={(e) => { const v = (e.target as HTMLInputElement).checked; run((i) => putObjection(i, { objected: v, source: 'desk' })); }} />
        <label for="objection">{t('cl.objection_label')}</label></div>
      <p class="muted" role="status">{on ? t('cl.objection_on', { at: when(p.objection!.at) }) : t('cl.objection_off')}</p>
      <ErrorNote error={error} />
    </section>
  );
}

export function ProfileView({ id }: { id: number }) {
  const user = useSignal(me);
  const [c, setC] = useState<S['Customer'] | null>(null);
  const [p, setP] = useState<S['Profile'] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [bookError, runBook] = useEdit((x) => setP(x), id);
  useEffect(() => {
    Promise.all([getCustomer(id), getProfile(id)]).then(([cu, pr]) => { setC(cu); setP(pr); }).catch((e) => setError(asError(e)));
  }, [id]);
  const title = c ? `${c.name ?? t('customer.erased')}` : t('cl.profile');
  if (error || !p || !c) return <Page title={title}><ErrorNote error={error} />{error ? null : <p>{t('common.loading')}</p>}</Page>;
  const mine = p.book?.staff_login === user?.login;
  return (
    <Page title={title}>
      <CustomerTabs id={id} current="clienteling" />
      <section class="card" aria-labelledby="h-book">
        <h2 id="h-book">{t('cl.book')}</h2>
        {p.book ? <dl><dt>{t('case.store')}</dt><dd>{p.book.store_code}</dd>
          <dt>{t('cl.associate')}</dt><dd>{p.book.staff_login ?? t('cl.pool')}</dd>
          <dt>{t('cl.second')}</dt><dd>{p.book.second_login ?? '—'}</dd></dl> : <p>{t('cl.no_book')}</p>}
        {!mine && user?.store_code ? <p><button type="button" onClick={() => runBook((i) => putBook(i, { store_code: user.store_code!, staff_login: user.login, second_login: p.book?.store_code === user.store_code && p.book.second_login !== user.login ? p.book.second_login : null }))}>
          {t('cl.take_into_book')}</button></p> : null}
        <ErrorNote error={bookError} />
      </section>
      <div class="grid2">
        <Sizes p={p} id={id} setP={setP} />
        <Objection p={p} id={id} setP={setP} />
      </div>
      <Preferences p={p} id={id} setP={setP} />
      <div class="grid2">
        <Dates p={p} id={id} setP={setP} />
        <Notes p={p} id={id} setP={setP} />
      </div>
    </Page>
  );
}
