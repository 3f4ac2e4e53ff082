// main.tsx — the app frame: who is logged in, the language, the menu for
// their role, the screen for the path, and the login again when a session
// has expired (drawn over the screen, so what was typed stays).
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import './styles.css';
import { api, onConnection, onUnauthorized, setCsrf, type S } from './api';
import { lang, setLang, t, type Lang } from './i18n';
import { go, match, path } from './router';
import { signal, useSignal } from './state';
import { Link, me } from './shared';
import { Login } from './screens/Login';
import { Desk } from './screens/Desk';
import { CustomerView, CustomerNew } from './screens/Customer';
import { CaseNew, CaseView } from './screens/Case';
import { Notes } from './screens/Notes';
import { Approvals, CaseList, Dashboard, Repairs } from './screens/Manager';
import { Imports, PolicyEditor, Staff, Stores } from './screens/Admin';

const expired = signal(false);
let chosenBeforeLogin = false;      /* a language picked on the login screen becomes the user's */
const online = signal(true);

onUnauthorized(() => { if (me.get()) expired.set(true); });
onConnection((ok) => online.set(ok));

type Role = 'associate' | 'manager' | 'admin';
interface Route { pattern: string; view: (p: Record<string, string>) => preact.JSX.Element; roles: Role[] }
const ALL: Role[] = ['associate', 'manager', 'admin'];
const LEADS: Role[] = ['manager', 'admin'];
const routes: Route[] = [
  { pattern: '/', view: () => <Desk />, roles: ALL },
  { pattern: '/customers/new', view: () => <CustomerNew />, roles: ALL },
  { pattern: '/customers/:id', view: (p) => <CustomerView id={+p.id} />, roles: ALL },
  { pattern: '/customers/:id/cases/new', view: (p) => <CaseNew customerId={+p.id} />, roles: ALL },
  { pattern: '/cases/new', view: () => <CaseNew customerId={0} />, roles: ALL },
  { pattern: '/cases/:id', view: (p) => <CaseView id={+p.id} />, roles: ALL },
  { pattern: '/cases', view: () => <CaseList />, roles: ALL },
  { pattern: '/notes', view: () => <Notes />, roles: ALL },
  { pattern: '/repairs', view: () => <Repairs />, roles: ALL },
  { pattern: '/approvals', view: () => <Approvals />, roles: LEADS },
  { pattern: '/dashboard', view: () => <Dashboard />, roles: LEADS },
  { pattern: '/admin/stores', view: () => <Stores />, roles: ['admin'] },
  { pattern: '/admin/staff', view: () => <Staff />, roles: LEADS },
  { pattern: '/admin/policy', view: () => <PolicyEditor />, roles: ['admin'] },
  { pattern: '/admin/imports', view: () => <Imports />, roles: ['admin'] },
];

const menu: { to: string; key: string; roles: Role[] }[] = [
  { to: '/', key: 'nav.desk', roles: ALL },
  { to: '/notes', key: 'nav.notes', roles: ALL },
  { to: '/cases', key: 'nav.cases', roles: ALL },
  { to: '/repairs', key: 'nav.repairs', roles: ALL },
  { to: '/approvals', key: 'nav.approvals', roles: LEADS },
  { to: '/dashboard', key: 'nav.dashboard', roles: LEADS },
  { to: '/admin/stores', key: 'nav.stores', roles: ['admin'] },
  { to: '/admin/staff', key: 'nav.staff', roles: LEADS },
  { to: '/admin/policy', key: 'nav.policy', roles: ['admin'] },
  { to: '/admin/imports', key: 'nav.imports', roles: ['admin'] },
];

function LangSwitch() {
  const l = useSignal(lang);
  const other: Lang = l === 'nl' ? 'en' : 'nl';
  return (
    <button type="button" class="link lang" lang={other} title={t('lang.switch')} onClick={async () => {
      setLang(other);
      if (!me.get()) chosenBeforeLogin = true;
      if (me.get()) {
        try { const r = await api<{ user: S['Staff'] }>('PATCH', '/api/v1/me', { lang: other }); me.set(r.user); } catch { /* shown later if it matters */ }
      }
    }}>{other === 'en' ? 'English' : 'Nederlands'}</button>
  );
}

function Shell({ user }: { user: S['Staff'] }) {
  const p = useSignal(path);
  useSignal(lang);
  const role = user.role as Role;
  let view: preact.JSX.Element | null = null;
  for (const r of routes) {
    const params = match(r.pattern, p);
    if (!params) continue;
    view = r.roles.includes(role) ? r.view(params) : <div class="page"><h1>{t('error.forbidden')}</h1></div>;
    break;
  }
  if (!view) view = <div class="page"><h1>{t('error.not_found')}</h1></div>;
  const current = (to: string) => (to === '/' ? p === '/' || p.startsWith('/customers') : p.startsWith(to));
  return (
    <>
      <a class="skip" href="#main">{t('nav.skip')}</a>
      <header class="top">
        <span class="brand">trustdesk</span>
        <nav aria-label={t('nav.label')}>
          {menu.filter((m) => m.roles.includes(role)).map((m) =>
            <Link to={m.to} class={current(m.to) ? 'active' : ''}>{t(m.key)}</Link>)}
        </nav>
        <div class="who">
          <span>{user.name} · {t(`role.${user.role}`)}{user.store_code ? ` · ${user.store_code}` : ''}</span>
          <LangSwitch />
          <button type="button" class="link" onClick={async () => {
            try { await api('DELETE', '/api/v1/session'); } catch { /* the session may be gone already */ }
            sessionStorage.clear();           // the last search (customer names) leaves with the user
            me.set(null);
            go('/');
          }}>{t('nav.logout')}</button>
        </div>
      </header>
      <Offline />
      <main id="main">{view}</main>
    </>
  );
}

function Offline() {
  const ok = useSignal(online);
  return ok ? null : <div class="notice error banner" role="alert">{t('error.offline')}</div>;
}

function App() {
  const user = useSignal(me);
  const exp = useSignal(expired);
  useSignal(lang);
  const [checked, setChecked] = useState(false);
  useEffect(() => {
    api<{ user: S['Staff']; csrf_token?: string }>('GET', '/api/v1/me', undefined, { quiet401: true })
      .then((r) => { if (r.csrf_token) setCsrf(r.csrf_token); setLang(r.user.lang as Lang); me.set(r.user); })
      .catch(() => {})
      .finally(() => setChecked(true));
  }, []);
  if (!checked) return null;
  const loggedIn = (r: { user: S['Staff']; csrf_token: string }) => {
    setCsrf(r.csrf_token);
    expired.set(false);
    if (chosenBeforeLogin && r.user.lang !== lang.get()) {
      chosenBeforeLogin = false;
      me.set({ ...r.user, lang: lang.get() });
      api<{ user: S['Staff'] }>('PATCH', '/api/v1/me', { lang: lang.get() }).then((x) => me.set(x.user)).catch(() => {});
      return;
    }
    setLang(r.user.lang as Lang);
    me.set(r.user);
  };
  if (!user) return <><header class="top"><span class="brand">trustdesk</span><div class="who"><LangSwitch /></div></header><Offline /><main id="main"><Login onDone={loggedIn} /></main></>;
  return (
    <>
      <div inert={exp ? true : undefined} aria-hidden={exp ? true : undefined}><Shell user={user} /></div>
      {exp ? <div class="overlay" role="dialog" aria-modal="true" aria-labelledby="login-title"><Login expired onDone={loggedIn} /></div> : null}
    </>
  );
}

document.documentElement.lang = lang.get();
render(<App />, document.getElementById('app')!);
