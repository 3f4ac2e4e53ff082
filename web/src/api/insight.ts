// insight.ts — referral outcomes (/api/v1/insight/referrals): who came back
// after the desk sent them elsewhere, beside who was not referred.
import { api, query, type S } from './client';

export type ReferralFilter = Partial<Record<'from' | 'to' | 'store', string>>;

export const getReferrals = (filter: ReferralFilter) =>
  api<S['ReferralReport']>('GET', `/api/v1/insight/referrals${query(filter)}`);
