// nps.ts — the customers' NPS figures (/api/v1/nps) and the same as a CSV
// file for Dutch Excel (/api/v1/nps.csv, opened by a plain link).
import { api, query, type S } from './client';

export type NpsBy = S['NpsReport']['by'];
export type NpsFilter = Partial<Record<'by' | 'from' | 'to' | 'store', string>>;

export const getNps = (filter: NpsFilter) => api<S['NpsReport']>('GET', `/api/v1/nps${query(filter)}`);
/** The address of the CSV file of the same figures, for a download link. */
export const npsCsvUrl = (filter: NpsFilter) => `/api/v1/nps.csv${query(filter)}`;
