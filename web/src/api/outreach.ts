// outreach.ts — today's list, one task with its call script, its outcome
// (/api/v1/outreach).
import { api, query, type S } from './client';

export type Outcome = S['OutcomeInput']['outcome'];

export const outreachToday = (filter: Partial<Record<'pool' | 'staff' | 'store_code' | 'lang', string>>) =>
  api<S['TaskList']>('GET', `/api/v1/outreach/today${query(filter)}`);
export const getTask = (id: number, lang: string) => api<S['Task']>('GET', `/api/v1/outreach/${id}?lang=${lang}`);
export const recordOutcome = (id: number, outcome: Outcome) =>
  api<S['Task']>('POST', `/api/v1/outreach/${id}/outcome`, { outcome } satisfies S['OutcomeInput']);
/** The associate's personal mail about the collection, to the outbox; the task becomes "mailed". */
export const mailTask = (id: number) => api<S['Task']>('POST', `/api/v1/outreach/${id}/mail`, {});
