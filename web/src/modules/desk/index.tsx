// The desk: find a customer, their profile, a new customer, a case from its
// items to its outcome.
import { ALL, type Module } from '../../registry';
import { CaseNew, CaseView } from './Case';
import { CustomerNew, CustomerView } from './Customer';
import { Desk } from './Desk';

export const desk: Module = {
  name: 'desk',
  section: 'nav.section.service',
  routes: [
    { path: '/', view: () => <Desk />, roles: ALL },
    { path: '/customers/new', view: () => <CustomerNew />, roles: ALL },
    { path: '/customers/:id', view: (p) => <CustomerView id={+p.id} />, roles: ALL },
    { path: '/customers/:id/cases/new', view: (p) => <CaseNew customerId={+p.id} />, roles: ALL },
    { path: '/cases/new', view: () => <CaseNew customerId={0} />, roles: ALL },
    { path: '/cases/:id', view: (p) => <CaseView id={+p.id} />, roles: ALL },
  ],
  menu: [{ path: '/', label: 'nav.desk', also: ['/customers'] }],
};
