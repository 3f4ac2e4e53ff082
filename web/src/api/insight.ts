// insight.ts — referral outcomes (/api/v1/insight/referrals): who came back
// after the desk sent them elsewhere, beside who was not referred.
import { api, query, type S } from './client';

export type ReferralFilter = Partial<Record<'from' | 'to' | 'store', string>>;

export const getReferrals = (filter: ReferralFilter) =>
  api<S['ReferralReport']>('GET', `/api/v1/insight/referrals${query(filter)}`);
/** The address of the same report as a file (CSV: one table; xlsx: all three), for a download link. */
export const referralsFileUrl = (filter: ReferralFilter, format: 'csv' | 'xlsx', table?: 'categories' | 'kinds') =>
  `/api/v1/insight/referrals${query({ ...filter, format, ...(table ? { table } : {}) })}`;

// The daily rollup (/api/v1/insight/daily): the desk's cases per day for the
// trend chart, and the same as a CSV or .xlsx file for a plain link.
export type DailyFilter = Partial<Record<'from' | 'to' | 'store', string>>;
export const getDaily = (filter: DailyFilter) =>
  api<S['InsightDaily']>('GET', `/api/v1/insight/daily${query(filter)}`);
/** The address of the same figures as a file: CSV for Dutch Excel, or a workbook. */
export const dailyFileUrl = (filter: DailyFilter, format: 'csv' | 'xlsx') =>
  `/api/v1/insight/daily${query({ ...filter, format })}`;

// Coaching (/api/v1/insight/coaching): per associate of a store their
// figures and a funnel plot against the store, and the same as files.
export type CoachingFilter = Partial<Record<'from' | 'to' | 'store', string>>;

export const getCoaching = (filter: CoachingFilter) =>
  api<S['CoachingReport']>('GET', `/api/v1/insight/coaching${query(filter)}`);
/** The address of the same figures as a file (CSV: the people; xlsx: every table), for a download link. */
export const coachingFileUrl = (filter: CoachingFilter, format: 'csv' | 'xlsx') =>
  `/api/v1/insight/coaching${query({ ...filter, format })}`;

// Goodwill economics (/api/v1/insight/goodwill): goodwill given, and what
// its customers spent after against comparable customers without it.
export type GoodwillFilter = Partial<Record<'from' | 'to' | 'store' | 'multiplier', string>>;

export const getGoodwill = (filter: GoodwillFilter) =>
  api<S['GoodwillReport']>('GET', `/api/v1/insight/goodwill${query(filter)}`);
/** The address of the same figures as a file (csv or xlsx), for a download link. */
export const goodwillFileUrl = (filter: GoodwillFilter, format: 'csv' | 'xlsx') =>
  `/api/v1/insight/goodwill${query({ ...filter, format })}`;
