// cases.ts — a case from opening to follow-up (/api/v1/cases), the list with
// its filters, and the manager's approvals of a case (/api/v1/approvals).
import { api, type S } from './client';

const one = (id: number) => `/api/v1/cases/${id}`;

export const createCase = (body: S['CaseCreate'], key: string) => api<S['Case']>('POST', '/api/v1/cases', body, { idempotencyKey: key });
export const getCase = (id: number) => api<S['Case']>('GET', one(id));
/** The recommendation for an open case (the policy and guard, as of now). */
export const decideCase = (id: number) => api<S['Decision']>('POST', `${one(id)}/decision`);
export const resolveCase = (id: number, body: S['CaseResolve'], key: string) =>
  api<S['CaseWithOutcome']>('POST', `${one(id)}/resolve`, body, { idempotencyKey: key });
export const followUpCase = (id: number, body: S['CaseFollowUp']) => api<S['Case']>('POST', `${one(id)}/follow-up`, body);
export const cancelCase = (id: number, body: S['CaseReason']) => api<S['Case']>('POST', `${one(id)}/cancel`, body);

/** Filters of the case list; empty values are left out. */
export type CaseFilter = Partial<Record<'status' | 'kind' | 'associate' | 'from' | 'to' | 'cursor', string>>;
export function listCases(filter: CaseFilter) {
  const q = new URLSearchParams();
  Object.entries(filter).forEach(([k, v]) => { if (v) q.set(k, v); });
  return api<S['CasePage']>('GET', `/api/v1/cases?${q}`);
}

export const listApprovals = () => api<S['CasePage']>('GET', '/api/v1/approvals');
export const approveCase = (id: number, body: S['ApprovalNote'], key: string) =>
  api<S['CaseWithOutcome']>('POST', `/api/v1/approvals/${id}/approve`, body, { idempotencyKey: key });
export const rejectCase = (id: number, body: S['CaseReason']) => api<S['Case']>('POST', `/api/v1/approvals/${id}/reject`, body);
