// Feedback: the manager's follow-ups of unhappy answers to the customer's
// one question (the question itself is a page the server writes, with no
// login: /api/v1/surveys/{token}); the anonymous staff survey (its page for
// a store's shared link is public), its results, the secrets board, value
// cards and quizzes; the NPS dashboard of the customers' answers.
import { ALL, LEADS, type Module } from '../../registry';
import { CardEdit, Cards } from './Cards';
import { FollowupView, Followups } from './Followups';
import { Nps } from './Nps';
import { Quiz } from './Quiz';
import { Secrets } from './Secrets';
import { StaffSurveyPage, StaffSurveys } from './StaffSurvey';

export const feedback: Module = {
  name: 'feedback',
  section: 'nav.section.feedback',
  routes: [
    { path: '/followups', view: () => <Followups />, roles: LEADS },
    { path: '/followups/:id', view: (p) => <FollowupView id={+p.id} />, roles: LEADS },
    // public: a store's shared link, answered by anyone who has it, logged in or not
    { path: '/staff-survey/:token', view: (p) => <StaffSurveyPage token={p.token} />, roles: ALL, public: true },
    { path: '/staff-surveys', view: () => <StaffSurveys />, roles: LEADS },
    { path: '/secrets', view: () => <Secrets />, roles: ALL },
    { path: '/cards', view: () => <Cards />, roles: ALL },
    { path: '/cards/new', view: () => <CardEdit id={0} />, roles: LEADS },
    { path: '/cards/:id', view: (p) => <CardEdit id={+p.id} />, roles: ALL },
    { path: '/quiz', view: () => <Quiz />, roles: ALL },
    /* Leads see every figure of their scope; an associate their own (the server decides). */
    { path: '/nps', view: () => <Nps />, roles: ALL },
  ],
  menu: [
    { path: '/followups', label: 'nav.followups' },
    { path: '/nps', label: 'nav.nps' },
    { path: '/staff-surveys', label: 'nav.staff_surveys' },
    { path: '/secrets', label: 'nav.secrets' },
    { path: '/cards', label: 'nav.cards' },
    { path: '/quiz', label: 'nav.quiz' },
  ],
};
