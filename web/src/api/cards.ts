// cards.ts — value cards (a claim the store can make where the customer
// weighs another shop), their quiz questions, an associate's quiz and
// knowledge score, and what the desk records when it shows a card with a
// case (/api/v1/value-cards, /api/v1/quiz, /api/v1/staff/{login}/knowledge,
// /api/v1/cases/{id}/value-card).
import { api, type S } from './client';

const one = (id: number) => `/api/v1/value-cards/${id}`;

export type CardOutcome = S['CardOutcome'];

export const listCards = (shownOnly = false) => api<S['ValueCardList']>('GET', `/api/v1/value-cards${shownOnly ? '?shown=true' : ''}`);
export const getCard = (id: number) => api<S['ValueCard']>('GET', one(id));
export const createCard = (body: S['ValueCardCreate']) => api<S['ValueCard']>('POST', '/api/v1/value-cards', body);
export const patchCard = (id: number, body: S['ValueCardPatch']) => api<S['ValueCard']>('PATCH', one(id), body);
export const verifyCard = (id: number) => api<S['ValueCard']>('POST', `${one(id)}/verify`, {});
export const retireCard = (id: number) => api<S['ValueCard']>('POST', `${one(id)}/retire`, {});
export const listCardQuestions = (id: number) => api<S['QuizQuestionList']>('GET', `${one(id)}/questions`);
export const addCardQuestion = (id: number, body: S['QuizQuestionCreate']) => api<S['QuizQuestion']>('POST', `${one(id)}/questions`, body);

export const getQuiz = () => api<S['QuizQuestionList']>('GET', '/api/v1/quiz');
export const answerQuiz = (body: S['QuizAnswer']) => api<S['QuizResult']>('POST', '/api/v1/quiz/answers', body);
export const getKnowledge = (login: string) => api<S['KnowledgeScore']>('GET', `/api/v1/staff/${encodeURIComponent(login)}/knowledge`);

/** The card the desk showed with a case, and what the customer then did (a later call replaces the outcome). */
export const recordCaseCard = (caseId: number, body: S['CaseValueCard']) =>
  api<S['CaseValueCardRecorded']>('POST', `/api/v1/cases/${caseId}/value-card`, body);
