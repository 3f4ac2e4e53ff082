// Feedback: the manager's follow-ups of unhappy answers to the customer's
// one question (the question itself is a page the server writes, with no
// login: /api/v1/surveys/{token}), and the NPS dashboard of the answers.
import { ALL, LEADS, type Module } from '../../registry';
import { FollowupView, Followups } from './Followups';
import { Nps } from './Nps';

export const feedback: Module = {
  name: 'feedback',
  routes: [
    { path: '/followups', view: () => <Followups />, roles: LEADS },
    { path: '/followups/:id', view: (p) => <FollowupView id={+p.id} />, roles: LEADS },
    /* Leads see every figure of their scope; an associate their own (the server decides). */
    { path: '/nps', view: () => <Nps />, roles: ALL },
  ],
  menu: [{ path: '/followups', label: 'nav.followups' }, { path: '/nps', label: 'nav.nps' }],
};
