// The store's work in progress: the case list, repairs, the approvals queue
// and the dashboard.
import { ALL, LEADS, type Module } from '../../registry';
import { Approvals, CaseList, Dashboard, Repairs } from './Manager';

export const manager: Module = {
  name: 'manager',
  section: 'nav.section.service',
  routes: [
    { path: '/cases', view: () => <CaseList />, roles: ALL },
    { path: '/repairs', view: () => <Repairs />, roles: ALL },
    { path: '/approvals', view: () => <Approvals />, roles: LEADS },
    { path: '/dashboard', view: () => <Dashboard />, roles: LEADS },
  ],
  menu: [
    { path: '/cases', label: 'nav.cases' },
    { path: '/repairs', label: 'nav.repairs' },
    { path: '/approvals', label: 'nav.approvals' },
    { path: '/dashboard', label: 'nav.dashboard', section: 'nav.section.insight' },
  ],
};
