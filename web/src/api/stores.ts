// stores.ts — the stores and a store's dashboard (/api/v1/stores).
import { api, type S } from './client';

export const listStores = () => api<S['StoreList']>('GET', '/api/v1/stores');
export const createStore = (body: S['StoreCreate']) => api('POST', '/api/v1/stores', body);
export const getDashboard = (code: string) => api<S['Dashboard']>('GET', `/api/v1/stores/${encodeURIComponent(code)}/dashboard`);
