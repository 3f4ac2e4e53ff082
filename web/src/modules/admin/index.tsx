// Administration: stores, staff and roles, the policy, CSV imports.
import { LEADS, type Module } from '../../registry';
import { Imports, PolicyEditor, Staff, Stores } from './Admin';

export const admin: Module = {
  name: 'admin',
  section: 'nav.section.admin',
  routes: [
    { path: '/admin/stores', view: () => <Stores />, roles: ['admin'] },
    { path: '/admin/staff', view: () => <Staff />, roles: LEADS },
    { path: '/admin/policy', view: () => <PolicyEditor />, roles: ['admin'] },
    { path: '/admin/imports', view: () => <Imports />, roles: ['admin'] },
  ],
  menu: [
    { path: '/admin/stores', label: 'nav.stores' },
    { path: '/admin/staff', label: 'nav.staff' },
    { path: '/admin/policy', label: 'nav.policy' },
    { path: '/admin/imports', label: 'nav.imports' },
  ],
};
