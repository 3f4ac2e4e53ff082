// customers.ts — search, profile, purchases, cases and credit notes of one
// customer, a new customer (/api/v1/customers).
import { api, type S } from './client';

const one = (id: number) => `/api/v1/customers/${id}`;

export const searchCustomers = (q: string, limit: number) =>
  api<S['CustomerList']>('GET', `/api/v1/customers?q=${encodeURIComponent(q)}&limit=${limit}`);
export const getCustomer = (id: number) => api<S['Customer']>('GET', one(id));
export const getCustomerFacts = (id: number) => api<S['CustomerFacts']>('GET', `${one(id)}/facts`);
export const getCustomerPurchases = (id: number, limit: number) => api<S['PurchaseList']>('GET', `${one(id)}/purchases?limit=${limit}`);
export const getCustomerCases = (id: number, limit: number) => api<S['CasePage']>('GET', `${one(id)}/cases?limit=${limit}`);
export const getCustomerCreditNotes = (id: number) => api<S['CreditNoteList']>('GET', `${one(id)}/credit-notes`);
export const createCustomer = (body: S['CustomerCreate']) => api<S['Customer']>('POST', '/api/v1/customers', body);
