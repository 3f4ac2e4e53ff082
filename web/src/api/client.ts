// client.ts — every call to the trustdesk API goes through here: JSON in and
// out, the CSRF token on writes, errors as ApiError with per-field problems,
// a lost connection told apart from a refusal, and 401 reported to the app
// (which shows the login again without dropping the screen underneath).
// Screens do not call it directly: they call the typed functions of one
// resource (cases.ts, customers.ts, …), which alone know the paths.
import type { components, paths } from '../api-types';

export type S = components['schemas'];

/** The JSON request body of an operation, as the spec states it ('/api/v1/…', 'post'). */
export type Body<P extends keyof paths, M extends keyof paths[P]> =
  paths[P][M] extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;
/** T with the fields K optional: the server fills in their defaults. */
export type Defaulted<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>;

export interface Problem { field?: string; problem: string }

export class ApiError extends Error {
  status: number;
  code: string;
  details: Problem[];
  offline: boolean;
  constructor(status: number, code: string, message: string, details: Problem[], offline = false) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    this.offline = offline;
  }
  /** The problem reported for one field, if any. */
  field(name: string): string | undefined {
    return this.details.find((d) => d.field === name)?.problem;
  }
}

let csrf = '';
let unauthorized: () => void = () => {};
let connection: (ok: boolean) => void = () => {};

export function setCsrf(token: string) { csrf = token; (window as any).__tdCsrf = token; }
export function onUnauthorized(fn: () => void) { unauthorized = fn; }
export function onConnection(fn: (ok: boolean) => void) { connection = fn; }

export interface CallOptions { idempotencyKey?: string; rawBody?: string; contentType?: string; quiet401?: boolean }

/** Sends one request with the session's cookie, the CSRF token on writes and the key, if any. */
async function send(method: string, path: string, body: unknown, opts: CallOptions, accept: string): Promise<Response> {
  const headers: Record<string, string> = { Accept: accept };
  if (method !== 'GET') {
    headers['X-CSRF-Token'] = csrf;
    headers['Content-Type'] = opts.contentType ?? 'application/json';
  }
  if (opts.idempotencyKey) headers['Idempotency-Key'] = opts.idempotencyKey;
  try {
    const res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: opts.rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    connection(true);
    return res;
  } catch {
    connection(false);
    throw new ApiError(0, 'offline', 'offline', [], true);
  }
}

/** A refusal as an ApiError, from the body's JSON error. */
function refusal(res: Response, text: string, opts: CallOptions): ApiError {
  let json: any = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (res.status === 401 && !opts.quiet401) unauthorized();
  const e = json?.error;
  return new ApiError(res.status, e?.code ?? 'error', e?.message ?? res.statusText, Array.isArray(e?.details) ? e.details : []);
}

export async function api<T>(method: string, path: string, body?: unknown, opts: CallOptions = {}): Promise<T> {
  const res = await send(method, path, body, opts, 'application/json');
  const text = await res.text();
  if (!res.ok) throw refusal(res, text, opts);
  try { return (text ? JSON.parse(text) : null) as T; } catch { return null as T; }
}

/** A file the server makes on a write (e.g. a simulation as CSV): its bytes and the name it gives. */
export async function apiFile(method: string, path: string, body?: unknown, opts: CallOptions = {}): Promise<{ blob: Blob; name: string }> {
  const res = await send(method, path, body, opts, '*/*');
  if (!res.ok) throw refusal(res, await res.text(), opts);
  const disposition = res.headers.get('Content-Disposition') ?? '';
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? 'download';
  return { blob: await res.blob(), name };
}

/** Hands a file to the browser as a download. */
export function saveFile(file: { blob: Blob; name: string }) {
  const url = URL.createObjectURL(file.blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = file.name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export interface Upload { status: number; body: any }

/** Sends a file as the request body with upload progress (fetch has none):
 * the status and parsed JSON body, whatever the status; rejects only when
 * the connection failed. */
export function upload(path: string, file: Blob, contentType: string, onProgress: (percent: number) => void): Promise<Upload> {
  return new Promise((ok, fail) => {
    const x = new XMLHttpRequest();
    x.open('POST', path);
    x.setRequestHeader('Content-Type', contentType);
    x.setRequestHeader('X-CSRF-Token', csrf);
    x.upload.onprogress = (ev) => { if (ev.lengthComputable) onProgress(Math.round((ev.loaded / ev.total) * 100)); };
    x.onerror = () => fail(new ApiError(0, 'offline', 'offline', [], true));
    x.onload = () => {
      let body: any = null;
      try { body = JSON.parse(x.responseText); } catch { body = null; }
      ok({ status: x.status, body });
    };
    x.send(file);
  });
}

/** A query string of the filters that have a value ("" when none do). */
export function query(filter: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  Object.entries(filter).forEach(([k, v]) => { if (v) q.set(k, v); });
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** A fresh key for one intended operation (a retry reuses it). */
export function newKey(prefix: string): string {
  const r = crypto.getRandomValues(new Uint32Array(3));
  return `${prefix}-${Date.now().toString(36)}-${Array.from(r, (x) => x.toString(36)).join('')}`;
}
