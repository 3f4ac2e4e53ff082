// catalogue.ts — styles with their stock, collections and a collection's
// arrival in a store: plan, preview, release, report (/api/v1/styles,
// /api/v1/collections).
import { api, type Defaulted, type S } from './client';

const arrival = (code: string, store: string) =>
  `/api/v1/collections/${encodeURIComponent(code)}/stores/${encodeURIComponent(store)}`;

export const getStyle = (code: string) => api<S['Style']>('GET', `/api/v1/styles/${encodeURIComponent(code)}`);
export const listCollections = () => api<S['CollectionList']>('GET', '/api/v1/collections');
export const getCollection = (code: string) => api<S['Collection']>('GET', `/api/v1/collections/${encodeURIComponent(code)}`);
export const planArrival = (code: string, store: string, body: Defaulted<S['ArrivalPlan'], 'first_choice_hours'>) =>
  api<S['Arrival']>('PUT', arrival(code, store), body);
/** What releasing would do; writes nothing. */
export const previewArrival = (code: string, store: string) => api<S['ArrivalSummary']>('GET', `${arrival(code, store)}/preview`);
export const releaseArrival = (code: string, store: string, key: string) =>
  api<S['ArrivalSummary']>('POST', `${arrival(code, store)}/arrive`, {}, { idempotencyKey: key });
export const arrivalReport = (code: string, store: string) => api<S['ArrivalReport']>('GET', `${arrival(code, store)}/report`);
