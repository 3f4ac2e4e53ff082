// Admin.tsx — stores, staff and roles; the policy editor (JSON with the
// server's problems shown at their fields, what the draft would have done
// (WhatIf.tsx), version history); CSV imports
// with progress and the error report.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, type S } from '../../api/client';
import { importCsv, type ImportKind } from '../../api/imports';
import { getPolicy, listPolicyVersions, putPolicy } from '../../api/policy';
import { createStaff, listStaff } from '../../api/staff';
import { createStore, listStores } from '../../api/stores';
import { t, when } from '../../i18n';
import { me } from '../../shared';
import { useSignal } from '../../state';
import { asError, ErrorNote, Field, Notice, Page, Select } from '../../ui';
import { WhatIf } from './WhatIf';

export function Stores() {
  const [items, setItems] = useState<S['StoreListItem'][]>([]);
  const [f, setF] = useState({ code: '', name: '', city: '' });
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState('');
  const load = () => listStores().then((r) => setItems(r.items)).catch((e) => setError(asError(e)));
  useEffect(() => { load(); }, []);
  const set = (k: keyof typeof f) => (v: string) => setF({ ...f, [k]: v });
  return (
    <Page title={t('nav.stores')}>
      <table><thead><tr><th>{t('store.code')}</th><th>{t('store.name')}</th><th>{t('store.city')}</th></tr></thead>
        <tbody>{items.map((s) => <tr><td>{s.code}</td><td>{s.name}</td><td>{s.city}</td></tr>)}</tbody></table>
      <form class="card form" noValidate onSubmit={async (e) => {
        e.preventDefault();
        try { await createStore(f); setDone(f.code); setF({ code: '', name: '', city: '' }); setError(null); load(); } catch (err) { setError(asError(err)); }
      }}>
        <h2>{t('store.new')}</h2>
        <Field label={t('store.code')} name="code" value={f.code} onInput={set('code')} error={error} hint={t('store.code_hint')} />
        <Field label={t('store.name')} name="name" value={f.name} onInput={set('name')} error={error} />
        <Field label={t('store.city')} name="city" value={f.city} onInput={set('city')} error={error} />
        <ErrorNote error={error} />
        {done ? <Notice kind="ok">{t('store.created', { code: done })}</Notice> : null}
        <button type="submit" class="primary">{t('store.create')}</button>
      </form>
    </Page>
  );
}

export function Staff() {
  const user = useSignal(me);
  const [items, setItems] = useState<S['Staff'][]>([]);
  const [f, setF] = useState({ login: '', name: '', role: 'associate', store_code: user?.store_code ?? '', password: '' });
  const [error, setError] = useState<ApiError | null>(null);
  const load = () => listStaff().then((r) => setItems(r.items)).catch((e) => setError(asError(e)));
  useEffect(() => { load(); }, []);
  const set = (k: keyof typeof f) => (v: string) => setF({ ...f, [k]: v });
  return (
    <Page title={t('nav.staff')}>
      <table><thead><tr><th>{t('staff.login')}</th><th>{t('staff.name')}</th><th>{t('staff.role')}</th><th>{t('case.store')}</th><th>{t('staff.active')}</th></tr></thead>
        <tbody>{items.map((s) => <tr><td>{s.login}</td><td>{s.name}</td><td>{t(`role.${s.role}`)}</td><td>{s.store_code ?? '—'}</td>
          <td>{s.active ? t('common.yes') : t('common.no')}</td></tr>)}</tbody></table>
      {user?.role === 'admin' ? (
        <form class="card form" noValidate onSubmit={async (e) => {
          e.preventDefault();
          try { await createStaff({ ...f, role: f.role as S['StaffCreate']['role'], store_code: f.store_code || null }); setError(null); setF({ ...f, login: '', name: '', password: '' }); load(); } catch (err) { setError(asError(err)); }
        }}>
          <h2>{t('staff.new')}</h2>
          <Field label={t('staff.login')} name="login" value={f.login} onInput={set('login')} error={error} autoComplete="off" />
          <Field label={t('staff.name')} name="name" value={f.name} onInput={set('name')} error={error} />
          <Select label={t('staff.role')} name="role" value={f.role} onChange={set('role')} error={error}
            options={['associate', 'manager', 'admin'].map((r) => [r, t(`role.${r}`)])} />
          <Field label={t('case.store')} name="store_code" value={f.store_code} onInput={set('store_code')} error={error} />
          <Field label={t('staff.password')} name="password" type="password" value={f.password} onInput={set('password')} error={error} autoComplete="new-password" />
          <ErrorNote error={error} />
          <button type="submit" class="primary">{t('staff.create')}</button>
        </form>) : null}
    </Page>
  );
}

export function PolicyEditor() {
  // The editor opens only once the document in force has arrived: text typed
  // into an empty editor would be overwritten when it came.
  const [text, setText] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const [versions, setVersions] = useState<S['PolicyVersion'][]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(0);
  const show = (p: S['PolicyInForce']) => { setVersion(p.version); setText(JSON.stringify(p.document, null, 2)); };
  const loadVersions = async () => {
    try { setVersions((await listPolicyVersions()).items); } catch (e) { setError(asError(e)); }
  };
  const load = async () => {
    try { show(await getPolicy()); } catch (e) { setError(asError(e)); }
    loadVersions();
  };
  useEffect(() => { load(); }, []);
  const save = async (e: Event) => {
    e.preventDefault();
    if (text === null) return;
    setSaved(0);
    try {
      const r = await putPolicy(text);
      setSaved(r.version);
      setError(null);
      show(r);
      loadVersions();
    } catch (err) { setError(asError(err)); }
  };
  if (text === null) {
    return (
      <Page title={t('nav.policy')}>
        {error ? <ErrorNote error={error} /> : <p role="status" aria-busy="true">{t('policy.loading')}</p>}
      </Page>
    );
  }
  return (
    <Page title={t('nav.policy')}>
      <p>{t('policy.in_force', { v: version })}</p>
      <form class="card form" onSubmit={save} noValidate>
        <label for="policy-doc">{t('policy.document')}</label>
        <textarea id="policy-doc" class="code-edit" rows={24} spellcheck={false} value={text}
          aria-invalid={error ? true : undefined} aria-describedby={error ? 'policy-problems' : 'policy-hint'}
          onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
        <div id="policy-hint" class="hint">{t('policy.hint')}</div>
        {error && error.details.length ? (
          <div id="policy-problems" class="notice error" role="alert">
            <strong>{t('policy.problems')}</strong>
            <ul>{error.details.map((d) => <li><code>{d.field ?? t('policy.whole')}</code>: {d.problem}</li>)}</ul>
          </div>) : <ErrorNote error={error} />}
        {saved ? <Notice kind="ok">{t('policy.saved', { v: saved })}</Notice> : null}
        <button type="submit" class="primary">{t('policy.save')}</button>
      </form>
      <WhatIf draft={text} />
      <h2>{t('policy.versions')}</h2>
      <table><thead><tr><th>{t('policy.version')}</th><th>{t('policy.when')}</th><th>{t('policy.by')}</th></tr></thead>
        <tbody>{versions.map((v) => <tr><td>{v.version}</td><td>{v.built_in ? t('policy.built_in') : when(v.created_at)}</td><td>{v.created_by ?? '—'}</td></tr>)}</tbody></table>
    </Page>
  );
}

interface ImportWarning { line: number; column: number; field: string; problem: string }
interface ImportReport { lines: number; added: number; skipped: number; warnings?: ImportWarning[]; warnings_total?: number }

export function Imports() {
  const [kind, setKind] = useState<ImportKind>('customers');
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState(-1);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [problems, setProblems] = useState<{ line?: number; column?: number; field?: string; problem: string }[]>([]);
  const [message, setMessage] = useState('');
  const send = (e: Event) => {
    e.preventDefault();
    if (!file) return;
    setReport(null); setProblems([]); setMessage(''); setProgress(0);
    importCsv(kind, file, setProgress).then(({ status, body: j }) => {
      setProgress(-1);
      if (status === 200 || status === 201) setReport(j);
      else { setMessage(j?.error?.message ?? t('error.server')); setProblems(j?.error?.details ?? []); }
    }, () => { setProgress(-1); setMessage(t('error.offline')); });
  };
  return (
    <Page title={t('nav.imports')}>
      <form class="card form" onSubmit={send}>
        <Select label={t('import.kind')} name="kind" value={kind} onChange={(v) => setKind(v as ImportKind)}
          options={[['customers', t('import.customers')], ['purchases', t('import.purchases')]]} />
        <label for="csv">{t('import.file')}</label>
        <input id="csv" type="file" accept=".csv,text/csv" onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0] ?? null)} />
        <div class="hint">{t('import.hint')}</div>
        <button type="submit" class="primary" disabled={!file || progress >= 0}>{t('import.send')}</button>
        {progress >= 0 ? <progress max={100} value={progress} aria-label={t('import.progress')}>{progress}%</progress> : null}
      </form>
      {report ? <Notice kind="ok">{t('import.done', { lines: report.lines, added: report.added, skipped: report.skipped })}</Notice> : null}
      {report?.warnings?.length ? <div class="notice" role="status"><strong>{t('import.warnings', { n: report.warnings_total ?? report.warnings.length })}</strong>
        <table><thead><tr><th>{t('import.line')}</th><th>{t('import.column')}</th><th>{t('import.problem')}</th></tr></thead>
          <tbody>{report.warnings.map((w) => <tr><td>{w.line}</td><td>{w.column}</td><td>{w.field}: {w.problem}</td></tr>)}</tbody></table>
      </div> : null}
      {message ? <div class="notice error" role="alert"><strong>{message}</strong>
        {problems.length ? <table><thead><tr><th>{t('import.line')}</th><th>{t('import.column')}</th><th>{t('import.problem')}</th></tr></thead>
          <tbody>{problems.map((p) => <tr><td>{p.line ?? ''}</td><td>{p.column ?? ''}</td><td>{p.field ? `${p.field}: ` : ''}{p.problem}</td></tr>)}</tbody></table> : null}
      </div> : null}
    </Page>
  );
}
