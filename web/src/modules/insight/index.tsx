// Insight: what the desk's choices bring back, with the uncertainty shown —
// referral outcomes, the desk's daily figures and goodwill economics for
// store managers and head office (the what-if of a draft policy sits in the
// policy editor, modules/admin).
import { LEADS, type Module } from '../../registry';
import { Daily } from './Daily';
import { Goodwill } from './Goodwill';
import { Referrals } from './Referrals';

export const insight: Module = {
  name: 'insight',
  routes: [
    { path: '/referrals', view: () => <Referrals />, roles: LEADS },
    { path: '/daily', view: () => <Daily />, roles: LEADS },
    { path: '/goodwill', view: () => <Goodwill />, roles: LEADS },
  ],
  menu: [
    { path: '/referrals', label: 'nav.referrals' },
    { path: '/daily', label: 'nav.daily' },
    { path: '/goodwill', label: 'nav.goodwill' },
  ],
};
