// policy.ts — the policy in force, its versions, a new version (/api/v1/policy).
import { api, type S } from './client';

export const getPolicy = () => api<S['PolicyInForce']>('GET', '/api/v1/policy');
export const listPolicyVersions = () => api<S['PolicyVersionList']>('GET', '/api/v1/policy/versions');
/** Saves the document as typed (sent as is, so the server's problems point into the admin's text). */
export const putPolicy = (text: string) => api<S['PolicyInForce']>('PUT', '/api/v1/policy', undefined, { rawBody: text });
