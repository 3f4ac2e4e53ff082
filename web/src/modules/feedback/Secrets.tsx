// Secrets.tsx — the secrets board: what staff say customers don't know
// about, as themes of folded words with their answers (each answer once)
// and, for leads, per store. Leads rename a theme and merge one into
// another; head office (admins) decides what is shown to associates; a theme
// becomes a value card. The answers' texts are never on the board.
import { useEffect, useState } from 'preact/hooks';
import { mergeSecret, patchSecret, secretsBoard } from '../../api/advocacy';
import { ApiError, type S } from '../../api/client';
import { t } from '../../i18n';
import { go } from '../../router';
import { me } from '../../shared';
import { useSignal } from '../../state';
import { asError, Badge, ErrorNote, Field, Notice, Page, Select } from '../../ui';

function ThemeEdit({ theme, others, admin, onDone }: { theme: S['SecretTheme']; others: S['SecretTheme'][]; admin: boolean;
  onDone: (what: string) => void }) {
  const [label, setLabel] = useState(theme.label);
  const [from, setFrom] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const run = async (fn: () => Promise<unknown>, what: string) => {
    try { await fn(); setError(null); setFrom(''); onDone(what); } catch (e) { setError(asError(e)); }
  };
  const n = `t${theme.id}`;
  return (
    <div class="theme-edit">
      <form class="form inline" onSubmit={(e) => { e.preventDefault(); run(() => patchSecret(theme.id, { label: label.trim() }), 'renamed'); }} noValidate>
        <Field label={t('sb.label')} name={`${n}-label`} errorName="label" value={label} onInput={setLabel} error={error} />
        <button type="submit">{t('sb.rename')}</button>
      </form>
      {others.length ? <form class="form inline" onSubmit={(e) => { e.preventDefault(); if (from) run(() => mergeSecret(theme.id, +from), 'merged'); }} noValidate>
        <Select label={t('sb.merge_from')} name={`${n}-from`} errorName="from" value={from} onChange={setFrom} error={error}
          options={[['', t('fb.choose')] as [string, string], ...others.map((o) => [String(o.id), `${o.label} (${o.answers})`] as [string, string])]} />
        <button type="submit">{t('sb.merge')}</button>
      </form> : null}
      <div class="row">
        {admin && theme.status !== 'shown' ? <button type="button" onClick={() => run(() => patchSecret(theme.id, { status: 'shown' }), 'shown')}>{t('sb.show')}</button> : null}
        {admin && theme.status !== 'hidden' ? <button type="button" onClick={() => run(() => patchSecret(theme.id, { status: 'hidden' }), 'hidden')}>{t('sb.hide')}</button> : null}
        <button type="button" class="primary" onClick={() => go(`/cards/new?theme=${theme.id}`)}>{t('sb.make_card')}</button>
      </div>
      <ErrorNote error={error} />
    </div>
  );
}

export function Secrets() {
  const user = useSignal(me);
  const [items, setItems] = useState<S['SecretTheme'][] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState('');
  const lead = user?.role === 'admin' || user?.role === 'manager';
  const admin = user?.role === 'admin';
  const load = () => secretsBoard().then((r) => { setItems(r.items); setError(null); }).catch((e) => setError(asError(e)));
  useEffect(() => { load(); }, []);
  const live = (items ?? []).filter((x) => x.status !== 'merged');
  return (
    <Page title={t('nav.secrets')}>
      <p>{lead ? t('sb.intro_lead') : t('sb.intro')}</p>
      {admin ? <p class="muted">{t('sb.moderation')}</p> : lead ? <p class="muted">{t('sb.moderation_manager')}</p> : null}
      {done ? <Notice kind="ok">{t(`sb.done.${done}`)}</Notice> : null}
      <ErrorNote error={error} />
      {items && !live.length ? <p role="status">{t('sb.none')}</p> : null}
      <ol class="themes">{live.map((x, i) => (
        <li class="card theme" data-theme={x.id}>
          <div class="theme-head">
            <span class="rank" aria-hidden="true">{i + 1}</span>
            <h2 class="theme-label">{x.label}</h2>
            <span class="theme-count">{t('sb.answers', { n: x.answers })}</span>
            {lead ? <Badge kind={`theme-${x.status}`}>{t(`sb.status.${x.status}`)}</Badge> : null}
          </div>
          <p class="muted">{t('sb.words')}: {x.words.split(',').join(', ')}
            {x.stores?.length ? <> · {x.stores.map((s) => `${s.store_code} ${s.answers}`).join(' · ')}</> : null}</p>
          {lead ? <details><summary>{t('sb.edit_short')}<span class="sr-only">: {x.label}</span></summary>
            <ThemeEdit theme={x} others={live.filter((o) => o.id !== x.id)} admin={admin} onDone={(w) => { setDone(w); load(); }} />
          </details> : null}
        </li>))}
      </ol>
    </Page>
  );
}
