// Clienteling: my book, the profile's sizes and preferences, today's
// outreach with the call script, holds, a collection's arrival (preview
// before release) and its report.
import { ALL, LEADS, type Module } from '../../registry';
import { query } from '../../router';
import { ArrivalView, Collections, Report } from './Arrival';
import { Book } from './Book';
import { Holds } from './Holds';
import { Today, TaskView } from './Outreach';
import { ProfileView } from './Profile';

export const clienteling: Module = {
  name: 'clienteling',
  section: 'nav.section.clienteling',
  routes: [
    { path: '/book', view: () => <Book />, roles: ALL },
    { path: '/customers/:id/clienteling', view: (p) => <ProfileView id={+p.id} />, roles: ALL },
    { path: '/outreach', view: () => <Today />, roles: ALL },
    { path: '/outreach/:id', view: (p) => <TaskView id={+p.id} />, roles: ALL },
    { path: '/holds', view: () => <Holds />, roles: ALL },
    { path: '/collections', view: () => <Collections />, roles: LEADS },
    { path: '/collections/:code', view: (p) => <ArrivalView code={p.code} />, roles: LEADS },
    { path: '/collections/:code/report', view: (p) => <Report code={p.code} store={query('store')} />, roles: LEADS },
  ],
  menu: [
    { path: '/book', label: 'nav.book' },
    { path: '/outreach', label: 'nav.outreach' },
    { path: '/holds', label: 'nav.holds' },
    { path: '/collections', label: 'nav.collections' },
  ],
};
