// policy.ts — the policy in force, its versions, a new version (/api/v1/policy).
import { api, apiFile, type S } from './client';

export const getPolicy = () => api<S['PolicyInForce']>('GET', '/api/v1/policy');
export const listPolicyVersions = () => api<S['PolicyVersionList']>('GET', '/api/v1/policy/versions');
/** Saves the document as typed (sent as is, so the server's problems point into the admin's text). */
export const putPolicy = (text: string) => api<S['PolicyInForce']>('PUT', '/api/v1/policy', undefined, { rawBody: text });
/** What the draft (as typed) would have recommended for the cases of a period (default: the last 90 days);
 *  changes nothing. The draft's problems come back at their paths under `policy.`. */
type Period = { from?: string; to?: string; store_code?: string };
const simulationBody = (text: string, period: Period) =>
  `{"policy":${text}${Object.entries(period).map(([k, v]) => `,${JSON.stringify(k)}:${JSON.stringify(v)}`).join('')}}`;
export const simulatePolicy = (text: string, period: Period = {}) =>
  api<S['Simulation']>('POST', '/api/v1/policy/simulations', undefined, { rawBody: simulationBody(text, period) });
/** The same replay's changed cases as a file: CSV for Dutch Excel, or a workbook. */
export const simulationFile = (text: string, format: 'csv' | 'xlsx', period: Period = {}) =>
  apiFile('POST', `/api/v1/policy/simulations?format=${format}`, undefined, { rawBody: simulationBody(text, period) });
