// ui.tsx — the few building blocks every screen uses: a labelled field that
// shows the server's problem for it, buttons, notices, a page frame.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { ApiError } from './api/client';
import { createPrintLink } from './api/creditNotes';
import { t } from './i18n';

let nextId = 0;
export function uid(prefix: string) { return `${prefix}-${++nextId}`; }

interface FieldProps {
  label: string;
  name: string;
  value: string;
  onInput: (v: string) => void;
  error?: ApiError | null;
  type?: string;
  required?: boolean;
  hint?: string;
  autoFocus?: boolean;
  inputMode?: 'text' | 'decimal' | 'numeric' | 'search' | 'email' | 'tel';
  autoComplete?: string;
  textarea?: boolean;
  errorName?: string;        /* the API's name for the field, when it differs */
}

/** Focus on mount (the autofocus attribute only works when a page loads). */
export function useAutoFocus<T extends HTMLElement>(on = true) {
  const ref = useRef<T>(null);
  useEffect(() => { if (on) ref.current?.focus(); }, []);
  return ref;
}

export function Field(p: FieldProps) {
  const id = `f-${p.name}`;
  const ref = useAutoFocus<HTMLInputElement & HTMLTextAreaElement>(!!p.autoFocus);
  const problem = p.error?.field(p.errorName ?? p.name);
  const describedBy = [problem ? `${id}-err` : '', p.hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;
  const common = {
    id, name: p.name, value: p.value, required: p.required, ref,
    'aria-invalid': problem ? true : undefined, 'aria-describedby': describedBy,
    onInput: (e: Event) => p.onInput((e.target as HTMLInputElement).value),
  };
  return (
    <div class={`field${problem ? ' invalid' : ''}`}>
      <label for={id}>{p.label}{p.required ? <span aria-hidden="true"> *</span> : null}</label>
      {p.textarea ? <textarea {...common} rows={3} /> :
        <input {...common} type={p.type ?? 'text'} inputMode={p.inputMode} autoComplete={p.autoComplete} />}
      {p.hint ? <div class="hint" id={`${id}-hint`}>{p.hint}</div> : null}
      {problem ? <div class="problem" id={`${id}-err`} role="alert">{problem}</div> : null}
    </div>
  );
}

interface SelectProps { label: string; name: string; value: string; onChange: (v: string) => void; options: [string, string][]; error?: ApiError | null; errorName?: string }
export function Select(p: SelectProps) {
  const id = `f-${p.name}`;
  const problem = p.error?.field(p.errorName ?? p.name);
  return (
    <div class={`field${problem ? ' invalid' : ''}`}>
      <label for={id}>{p.label}</label>
      <select id={id} name={p.name} value={p.value} aria-invalid={problem ? true : undefined}
        aria-describedby={problem ? `${id}-err` : undefined}
        onChange={(e) => p.onChange((e.target as HTMLSelectElement).value)}>
        {p.options.map(([v, l]) => <option value={v}>{l}</option>)}
      </select>
      {problem ? <div class="problem" id={`${id}-err`} role="alert">{problem}</div> : null}
    </div>
  );
}

/** The error as a person reads it: the server's message, never raw JSON. */
export const DAY_MS = 86400000;
/** A moment's UTC date as YYYY-MM-DD, as the report routes take it. */
export const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** A report's period: from and to, and (unless quick is false) a picker
 * that sets them to the last 30, 90 or 365 days. */
export function PeriodFields(p: { from: string; to: string; setFrom: (v: string) => void; setTo: (v: string) => void;
  error?: ApiError | null; quick?: boolean }) {
  const today = Date.now();
  return <>
    <Field label={t('nps.from')} name="from" type="date" value={p.from} onInput={p.setFrom} error={p.error} />
    <Field label={t('nps.to')} name="to" type="date" value={p.to} onInput={p.setTo} error={p.error} />
    {p.quick === false ? null : <Select label={t('nps.period')} name="period" value="" options={[['', t('nps.period_pick')],
      ['30', t('nps.days', { n: 30 })], ['90', t('nps.days', { n: 90 })], ['365', t('nps.days', { n: 365 })]]}
      onChange={(v) => { if (v) { p.setTo(isoDay(today)); p.setFrom(isoDay(today - (+v - 1) * DAY_MS)); } }} />}
  </>;
}

export function ErrorNote({ error }: { error: ApiError | null | undefined }) {
  if (!error) return null;
  const text = error.offline ? t('error.offline') : error.status === 403 ? t('error.forbidden') :
    error.status === 404 ? t('error.not_found') : error.status >= 500 ? t('error.server') : error.message;
  const unnamed = error.details.filter((d) => !d.field);
  return (
    <div class="notice error" role="alert">
      <strong>{text}</strong>
      {unnamed.map((d) => <div>{d.problem}</div>)}
    </div>
  );
}

export function Notice({ kind, children }: { kind: 'ok' | 'warn' | 'info'; children: ComponentChildren }) {
  return <div class={`notice ${kind}`} role="status">{children}</div>;
}

/** How far behind the insight figures are when a read replica answered
 * (the answer's replica_lag_ms): nothing when it is 0, null or absent. */
export function ReplicaLag({ ms }: { ms?: number | null }) {
  if (!ms || ms <= 0) return null;
  return <Notice kind="info">{t('replica.behind', { n: Math.ceil(ms / 1000) })}</Notice>;
}

export function Page({ title, children, actions }: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <section class="page" aria-labelledby="page-title">
      <div class="page-head"><h1 id="page-title" tabIndex={-1}>{title}</h1>{actions}</div>
      {children}
    </section>
  );
}

/** A table that may be wider than its card: it scrolls sideways inside the
 * card, never the page, and from the keyboard too (a focusable region,
 * named by the heading `labelledBy`). */
export function Wide({ labelledBy, children }: { labelledBy: string; children: ComponentChildren }) {
  return <div class="wide" role="region" tabIndex={0} aria-labelledby={labelledBy}>{children}</div>;
}

export function Badge({ kind, children }: { kind: string; children: ComponentChildren }) {
  return <span class={`badge ${kind}`}>{children}</span>;
}

/** A refusal made in the browser: the text in `field` is not an amount in euros. */
export function amountError(field: string): ApiError {
  return new ApiError(422, 'invalid', t('case.check_fields'), [{ field, problem: t('case.bad_amount') }]);
}

/** Opens the printable note in a new tab through a short-lived print link,
 * so that the code never stands in a URL (browser history, proxy logs). The
 * tab is opened at once, inside the click, so no pop-up blocker stops it. */
export async function printNote(code: string) {
  const w = window.open('', '_blank');
  if (w) w.opener = null;
  try {
    const link = await createPrintLink({ code });
    if (w) w.location.href = link.url;
    else window.location.href = link.url;
  } catch (e) {
    w?.close();
    throw e;
  }
}

/** A credit note just issued: its code (shown only now) and the printable page. */
export function NoteIssued({ code }: { code: string }) {
  return (
    <Notice kind="ok"><div class="code-box">{t('case.note_issued')} <strong class="code">{code}</strong>
      <button type="button" class="button" onClick={() => printNote(code).catch(() => {})}>{t('note.print')}</button></div></Notice>
  );
}

export function asError(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError(0, 'error', String(e), []);
}
