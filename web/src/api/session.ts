// session.ts — logging in and out, and the logged-in user (/api/v1/session, /api/v1/me).
import { api, type S } from './client';

/** Who is logged in, with the CSRF token; a 401 is not reported to the app (no session yet). */
export const getMe = () => api<S['Me']>('GET', '/api/v1/me', undefined, { quiet401: true });
export const patchMe = (body: S['MePatch']) => api<{ user: S['Staff'] }>('PATCH', '/api/v1/me', body);
export const logIn = (body: S['SessionCreate']) => api<S['Session']>('POST', '/api/v1/session', body, { quiet401: true });
export const logOut = () => api('DELETE', '/api/v1/session');
