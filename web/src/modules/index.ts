// The app's modules, in the order of their menu sections and entries. A new module adds
// its folder under modules/ and one line here; main.tsx does not change.
import type { Module } from '../registry';
import { admin } from './admin';
import { clienteling } from './clienteling';
import { desk } from './desk';
import { feedback } from './feedback';
import { insight } from './insight';
import { manager } from './manager';
import { notes } from './notes';
import { session } from './session';

export const modules: Module[] = [session, desk, notes, manager, clienteling, feedback, insight, admin];
