// main.tsx — the app frame: who is logged in, the language, the menu for
// their role, the screen for the path, and the login again when a session
// has expired (drawn over the screen, so what was typed stays). The screens
// and menu entries come from the modules (modules/index.ts, registry.ts).
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import './styles.css';
import { onConnection, onUnauthorized, type S } from './api/client';
import { lang, t, type Lang } from './i18n';
import { modules } from './modules';
import { isCurrent, menuSectionsFor, resolve, type Role } from './registry';
import { path } from './router';
import { checkSession, expired, loggedIn, logOutNow, switchLang } from './session';
import { Link, me } from './shared';
import { signal, useSignal } from './state';
import { Login } from './modules/session/Login';

const online = signal(true);

onUnauthorized(() => { if (me.get()) expired.set(true); });
onConnection((ok) => online.set(ok));

function LangSwitch() {
  const l = useSignal(lang);
  const other: Lang = l === 'nl' ? 'en' : 'nl';
  return (
    <button type="button" class="link lang" lang={other} title={t('lang.switch')} onClick={() => switchLang(other)}>
      {other === 'en' ? 'English' : 'Nederlands'}</button>
  );
}

const message = (key: string) => <div class="page"><h1>{t(key)}</h1></div>;

/** The menu in its sections: a column beside the screen on a wide screen;
 * on a narrow one folded behind a "Menu" button that names the current
 * screen, and folded again once an entry is chosen. */
function Menu({ role, p }: { role: Role; p: string }) {
  const [open, setOpen] = useState(false);
  useEffect(() => setOpen(false), [p]);
  const sections = menuSectionsFor(modules, role);
  const current = sections.flatMap((x) => x.entries).find((e) => isCurrent(e, p));
  return (
    <nav aria-label={t('nav.label')} class={open ? 'open' : ''}>
      <button type="button" class="menu-toggle" aria-expanded={open} aria-controls="menu" onClick={() => setOpen(!open)}>
        {t('nav.menu')}{current ? ` · ${t(current.label)}` : ''}</button>
      <div id="menu" onClick={(e) => { if ((e.target as HTMLElement).closest('a')) setOpen(false); }}>
        {sections.map((x) => (
          <div class="menu-section" role="group" aria-label={t(x.label)}>
            <span class="menu-head" aria-hidden="true">{t(x.label)}</span>
            {x.entries.map((e) => <Link to={e.path} class={isCurrent(e, p) ? 'active' : ''}>{t(e.label)}</Link>)}
          </div>
        ))}
      </div>
    </nav>
  );
}

function Shell({ user }: { user: S['Staff'] }) {
  const p = useSignal(path);
  useSignal(lang);
  const role = user.role as Role;
  const r = resolve(modules, p, role);
  const view = r.kind === 'view' ? r.route.view(r.params) : message(r.kind === 'forbidden' ? 'error.forbidden' : 'error.not_found');
  return (
    <>
      <a class="skip" href="#main">{t('nav.skip')}</a>
      <header class="top side">
        <span class="brand">trustdesk</span>
        <Menu role={role} p={p} />
        <div class="who">
          <span>{user.name} · {t(`role.${user.role}`)}{user.store_code ? ` · ${user.store_code}` : ''}</span>
          <LangSwitch />
          <button type="button" class="link" onClick={logOutNow}>{t('nav.logout')}</button>
        </div>
      </header>
      <Offline />
      <main id="main">{view}</main>
    </>
  );
}

/** Nobody logged in: a public screen, or the login in place of the screen asked for. */
function Public() {
  const p = useSignal(path);
  const r = resolve(modules, p, null);
  const view = r.kind === 'view' ? r.route.view(r.params) : <Login onDone={loggedIn} />;
  return <><header class="top"><span class="brand">trustdesk</span><div class="who"><LangSwitch /></div></header><Offline /><main id="main">{view}</main></>;
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
  useEffect(() => { checkSession().finally(() => setChecked(true)); }, []);
  if (!checked) return null;
  if (!user) return <Public />;
  return (
    <>
      <div inert={exp ? true : undefined} aria-hidden={exp ? true : undefined}><Shell user={user} /></div>
      {exp ? <div class="overlay" role="dialog" aria-modal="true" aria-labelledby="login-title"><Login expired onDone={loggedIn} /></div> : null}
    </>
  );
}

document.documentElement.lang = lang.get();
render(<App />, document.getElementById('app')!);
