// books.ts — an associate's book (or the store pool) with its filters, and a
// customer's clienteling profile with its edits (/api/v1/book,
// /api/v1/customers/{id}/profile and the routes beside it).
import { api, query, type S } from './client';

const one = (id: number) => `/api/v1/customers/${id}`;

/** Filters of the book; empty values are left out. */
export type BookFilter = Partial<Record<'staff' | 'pool' | 'store_code' | 'tier' | 'visited_within_days' | 'category' | 'size' | 'consent' | 'cursor' | 'limit', string>>;
export const getBook = (filter: BookFilter) => api<S['BookPage']>('GET', `/api/v1/book${query(filter)}`);

export const getProfile = (id: number) => api<S['Profile']>('GET', `${one(id)}/profile`);
export const putBook = (id: number, body: S['BookAssign']) => api<S['Profile']>('PUT', `${one(id)}/book`, body);
/** A stated size for a category; null removes it (a learned one shows again). */
export const putSize = (id: number, category: string, size: string | null) =>
  api<S['Profile']>('PUT', `${one(id)}/sizes/${encodeURIComponent(category)}`, { size } satisfies S['SizeSet']);
export const putPreference = (id: number, body: S['PreferenceSet']) => api<S['Profile']>('PUT', `${one(id)}/preferences`, body);
export const addDate = (id: number, body: S['DateInput']) => api<S['Profile']>('POST', `${one(id)}/dates`, body);
export const deleteDate = (id: number, dateId: number) => api<S['Profile']>('DELETE', `${one(id)}/dates/${dateId}`);
export const addNote = (id: number, body: S['NoteInput']) => api<S['Profile']>('POST', `${one(id)}/notes`, body);
export const putObjection = (id: number, body: S['ObjectionSet']) => api<S['Profile']>('PUT', `${one(id)}/objection`, body);
