// repairs.ts — repairs in progress and their steps (/api/v1/repairs).
import { api, type S } from './client';

export const listOpenRepairs = () => api<S['RepairList']>('GET', '/api/v1/repairs?open=true');
export const setRepairStatus = (caseId: number, body: S['RepairStatusChange']) => api<S['Repair']>('POST', `/api/v1/repairs/${caseId}/status`, body);
