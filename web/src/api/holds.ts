// holds.ts — a unit held for a customer, a store's holds (all, or one
// product's), giving the unit back (/api/v1/holds).
import { api, query, type Defaulted, type S } from './client';

export const createHold = (body: Defaulted<S['HoldInput'], 'hours'>, key: string) =>
  api<S['Hold']>('POST', '/api/v1/holds', body, { idempotencyKey: key });
export const listHolds = (filter: Partial<Record<'store_code' | 'sku' | 'active', string>>) =>
  api<S['HoldList']>('GET', `/api/v1/holds${query(filter)}`);
export const releaseHold = (id: number, status: S['HoldRelease']['status']) =>
  api<S['Hold']>('POST', `/api/v1/holds/${id}/release`, { status } satisfies S['HoldRelease']);
