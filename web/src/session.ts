// session.ts — the session as the app frame keeps it: who is logged in (`me`
// in shared.tsx), whether their session expired mid-work, the language
// chosen before logging in, logging in and out.
import { setCsrf, type S } from './api/client';
import { getMe, logOut, patchMe } from './api/session';
import { lang, setLang, type Lang } from './i18n';
import { go } from './router';
import { me } from './shared';
import { signal } from './state';

export const expired = signal(false);
let chosenBeforeLogin = false;      /* a language picked on the login screen becomes the user's */

/** Asks the server who is logged in (a session cookie from before). */
export async function checkSession() {
  try {
    const r = await getMe();
    if (r.csrf_token) setCsrf(r.csrf_token);
    setLang(r.user.lang as Lang);
    me.set(r.user);
  } catch { /* nobody: the login is shown */ }
}

export function loggedIn(r: S['Session']) {
  setCsrf(r.csrf_token);
  expired.set(false);
  if (chosenBeforeLogin && r.user.lang !== lang.get()) {
    chosenBeforeLogin = false;
    me.set({ ...r.user, lang: lang.get() });
    patchMe({ lang: lang.get() }).then((x) => me.set(x.user)).catch(() => {});
    return;
  }
  setLang(r.user.lang as Lang);
  me.set(r.user);
}

export async function switchLang(other: Lang) {
  setLang(other);
  if (!me.get()) chosenBeforeLogin = true;
  if (me.get()) {
    try { const r = await patchMe({ lang: other }); me.set(r.user); } catch { /* shown later if it matters */ }
  }
}

export async function logOutNow() {
  try { await logOut(); } catch { /* the session may be gone already */ }
  sessionStorage.clear();           // the last search (customer names) leaves with the user
  me.set(null);
  go('/');
}
