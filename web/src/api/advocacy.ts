// advocacy.ts — the anonymous staff survey (head office's rounds, a store's
// shared link, the results per slice) and the secrets board built from its
// answers (/api/v1/staff-surveys, /api/v1/staff-survey, /api/v1/secrets).
import { api, query, type S } from './client';

const link = (token: string) => `/api/v1/staff-survey/${encodeURIComponent(token)}`;

export const createStaffSurvey = (body: S['StaffSurveyCreate']) => api<S['StaffSurveyCreated']>('POST', '/api/v1/staff-surveys', body);
export const listStaffSurveys = () => api<S['StaffSurveyList']>('GET', '/api/v1/staff-surveys');
/** One slice of a round: the whole round, a store, a department, or both. */
export const staffSurveyResults = (id: number, slice: Partial<Record<'store_code' | 'category', string>>) =>
  api<S['StaffSurveyResults']>('GET', `/api/v1/staff-surveys/${id}/results${query(slice)}`);

/** What a shared link asks (public: no login). */
export const getStaffSurveyPage = (token: string) => api<S['StaffSurveyPage']>('GET', link(token), undefined, { quiet401: true });
export const answerStaffSurvey = (token: string, body: S['StaffSurveyAnswer']) =>
  api<S['StaffSurveyReceived']>('POST', `${link(token)}/answers`, body, { quiet401: true });

export const secretsBoard = () => api<S['SecretThemeList']>('GET', '/api/v1/secrets?limit=200');
export const patchSecret = (id: number, body: S['SecretThemePatch']) => api<S['SecretTheme']>('PATCH', `/api/v1/secrets/${id}`, body);
export const mergeSecret = (into: number, from: number) =>
  api<S['SecretTheme']>('POST', `/api/v1/secrets/${into}/merge`, { from } satisfies S['SecretMerge']);
