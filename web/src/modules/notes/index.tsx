// Credit notes: look up, redeem, print, issue.
import { ALL, type Module } from '../../registry';
import { Notes } from './Notes';

export const notes: Module = {
  name: 'notes',
  section: 'nav.section.service',
  routes: [{ path: '/notes', view: () => <Notes />, roles: ALL }],
  menu: [{ path: '/notes', label: 'nav.notes' }],
};
