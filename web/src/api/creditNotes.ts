// creditNotes.ts — look up, redeem, issue and print credit notes (/api/v1/credit-notes).
import { api, type Body, type Defaulted, type S } from './client';

export const lookUpNote = (body: S['CreditNoteCodeBody']) => api<S['CreditNoteWithHistory']>('POST', '/api/v1/credit-notes/lookup', body);
export const redeemNote = (body: Body<'/api/v1/credit-notes/redeem', 'post'>, key: string) => api('POST', '/api/v1/credit-notes/redeem', body, { idempotencyKey: key });
export const issueNote = (body: Defaulted<S['CreditNoteIssue'], 'funding'>, key: string) =>
  api<S['IssuedCreditNote']>('POST', '/api/v1/credit-notes', body, { idempotencyKey: key });
/** A short-lived link to the printable note, so that the code stands in no URL. */
export const createPrintLink = (body: S['CreditNoteCodeBody']) => api<S['PrintLink']>('POST', '/api/v1/credit-notes/print-links', body);
