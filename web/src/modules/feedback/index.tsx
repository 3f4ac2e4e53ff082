// Feedback: the manager's follow-ups of unhappy answers to the customer's
// one question (the question itself is a page the server writes, with no
// login: /api/v1/surveys/{token}).
import { LEADS, type Module } from '../../registry';
import { FollowupView, Followups } from './Followups';

export const feedback: Module = {
  name: 'feedback',
  routes: [
    { path: '/followups', view: () => <Followups />, roles: LEADS },
    { path: '/followups/:id', view: (p) => <FollowupView id={+p.id} />, roles: LEADS },
  ],
  menu: [{ path: '/followups', label: 'nav.followups' }],
};
