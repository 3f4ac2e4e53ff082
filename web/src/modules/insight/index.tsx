// Insight: what the desk's choices bring back, with the uncertainty shown —
// referral outcomes for store managers and head office, and coaching for
// associates and their managers (the what-if of a draft policy sits in the
// policy editor, modules/admin).
import { ALL, LEADS, type Module } from '../../registry';
import { Coaching } from './Coaching';
import { Referrals } from './Referrals';

export const insight: Module = {
  name: 'insight',
  routes: [{ path: '/referrals', view: () => <Referrals />, roles: LEADS },
    { path: '/coaching', view: () => <Coaching />, roles: ALL }],
  menu: [{ path: '/referrals', label: 'nav.referrals' }, { path: '/coaching', label: 'nav.coaching' }],
};
