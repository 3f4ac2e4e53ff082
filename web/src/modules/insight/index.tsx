// Insight: what the desk's choices bring back, with the uncertainty shown —
// referral outcomes, the desk's daily figures and goodwill economics for
// store managers and head office, and coaching for associates and their
// managers (the what-if of a draft policy sits in the policy editor,
// modules/admin).
import { ALL, LEADS, type Module } from '../../registry';
import { Coaching } from './Coaching';
import { Daily } from './Daily';
import { Goodwill } from './Goodwill';
import { Referrals } from './Referrals';

export const insight: Module = {
  name: 'insight',
  section: 'nav.section.insight',
  routes: [
    { path: '/referrals', view: () => <Referrals />, roles: LEADS },
    { path: '/daily', view: () => <Daily />, roles: LEADS },
    { path: '/goodwill', view: () => <Goodwill />, roles: LEADS },
    { path: '/coaching', view: () => <Coaching />, roles: ALL },
  ],
  menu: [
    { path: '/referrals', label: 'nav.referrals' },
    { path: '/daily', label: 'nav.daily' },
    { path: '/goodwill', label: 'nav.goodwill' },
    { path: '/coaching', label: 'nav.coaching' },
  ],
};
