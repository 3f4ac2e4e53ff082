// followups.ts — the manager's follow-ups of unhappy answers, their steps,
// the report, the root causes (/api/v1/followups, /api/v1/root-causes).
import { api, query, type S } from './client';

export type Recovery = S['FollowupCloseInput']['recovery'];

export const listFollowups = (filter: Partial<Record<'store_code' | 'status', string>>) =>
  api<S['FollowupList']>('GET', `/api/v1/followups${query(filter)}`);
export const getFollowup = (id: number) => api<S['FollowupDetail']>('GET', `/api/v1/followups/${id}`);
export const assignFollowup = (id: number, staff_login: string | null) =>
  api<S['FollowupDetail']>('POST', `/api/v1/followups/${id}/assign`, { staff_login } satisfies S['FollowupAssign']);
export const contactFollowup = (id: number, note: string) =>
  api<S['FollowupDetail']>('POST', `/api/v1/followups/${id}/contact`, { note } satisfies S['FollowupContact']);
export const closeFollowup = (id: number, body: S['FollowupCloseInput'], key: string) =>
  api<S['FollowupDetail']>('POST', `/api/v1/followups/${id}/close`, body, { idempotencyKey: key });
export const followupReport = (filter: Partial<Record<'store_code' | 'days', string>>) =>
  api<S['FollowupReport']>('GET', `/api/v1/followups/report${query(filter)}`);
export const listRootCauses = () => api<S['RootCauseList']>('GET', '/api/v1/root-causes');
