// registry.ts — what a module tells the app frame: its screens (a path, the
// roles that may open it, whether it needs a login at all) and its menu
// entries. The frame asks `resolve` which screen a path shows for whom and
// `menuFor` what a role sees in the menu; it knows no module by name.
// No DOM and no Preact here, so scripts/check-registry.mjs can test it in Node.
import type { JSX } from 'preact';

export type Role = 'associate' | 'manager' | 'admin';
export const ALL: Role[] = ['associate', 'manager', 'admin'];
export const LEADS: Role[] = ['manager', 'admin'];

export interface Route {
  /** "/cases/:id": a `:name` segment is a parameter. */
  path: string;
  view: (params: Record<string, string>) => JSX.Element;
  /** Who may open it; ignored for a public screen. */
  roles: Role[];
  /** Opens without a login (the customer's survey page, the login itself). */
  public?: boolean;
}

export interface MenuEntry {
  path: string;
  /** A key of the string files (i18n/nl.json and en.json). */
  label: string;
  /** Who sees it; the roles of the route at `path` when left out. */
  roles?: Role[];
  /** Other path prefixes that mark this entry as the current one. */
  also?: string[];
  /** The section it stands under (a string key); its module's when left out. */
  section?: string;
}

export interface Module {
  name: string;
  routes: Route[];
  menu?: MenuEntry[];
  /** The menu section (a string key) its entries stand under. */
  section?: string;
}

/** Matches "/cases/:id" against a path (a query string is ignored); the params, or null. */
export function match(pattern: string, p: string): Record<string, string> | null {
  const [pathOnly] = p.split('?');
  const a = pattern.split('/'), b = pathOnly.split('/');
  if (a.length !== b.length) return null;
  const out: Record<string, string> = {};
  for (let i = 0; i < a.length; i++) {
    if (a[i].startsWith(':')) out[a[i].slice(1)] = decodeURIComponent(b[i]);
    else if (a[i] !== b[i]) return null;
  }
  return out;
}

const fixedSegments = (pattern: string) => pattern.split('/').filter((s) => !s.startsWith(':')).length;

export type Resolved =
  | { kind: 'view'; route: Route; params: Record<string, string> }
  | { kind: 'login' }          /* not public and nobody logged in */
  | { kind: 'forbidden' }      /* logged in, and the role may not open it */
  | { kind: 'not_found' };

/** The screen a path shows to `role` (null: nobody logged in). Where two
 * routes match, the one with more fixed segments wins ("/cases/new" before
 * "/cases/:id"), so the order of modules and routes does not matter. */
export function resolve(modules: Module[], p: string, role: Role | null): Resolved {
  let best: { route: Route; params: Record<string, string> } | null = null;
  for (const m of modules) {
    for (const route of m.routes) {
      const params = match(route.path, p);
      if (params && (!best || fixedSegments(route.path) > fixedSegments(best.route.path))) best = { route, params };
    }
  }
  if (best?.route.public) return { kind: 'view', ...best };
  if (role === null) return { kind: 'login' };
  if (!best) return { kind: 'not_found' };
  return best.route.roles.includes(role) ? { kind: 'view', ...best } : { kind: 'forbidden' };
}

function rolesOf(modules: Module[], e: MenuEntry): Role[] {
  if (e.roles) return e.roles;
  for (const m of modules) for (const r of m.routes) if (r.path === e.path) return r.public ? ALL : r.roles;
  return [];
}

/** The menu a role sees, section after section (menuSectionsFor). */
export function menuFor(modules: Module[], role: Role): MenuEntry[] {
  return menuSectionsFor(modules, role).flatMap((x) => x.entries);
}

export interface MenuSection { label: string; entries: MenuEntry[] }

/** The menu a role sees in sections: a section for each module's `section`
 * in the order of the modules, each with the entries that name it (or whose
 * module does), in module order; a section with nothing for the role is left
 * out, and so is an entry of no section. */
export function menuSectionsFor(modules: Module[], role: Role): MenuSection[] {
  const sections: MenuSection[] = [];
  for (const m of modules) if (m.section && !sections.some((x) => x.label === m.section)) sections.push({ label: m.section, entries: [] });
  for (const m of modules) {
    for (const e of m.menu ?? []) {
      const home = sections.find((x) => x.label === (e.section ?? m.section));
      if (home && rolesOf(modules, e).includes(role)) home.entries.push(e);
    }
  }
  return sections.filter((x) => x.entries.length > 0);
}

/** Whether a menu entry is the current one for path `p`. */
export function isCurrent(e: MenuEntry, p: string): boolean {
  const pathOnly = p.split('?')[0];
  const prefix = (x: string) => (x === '/' ? pathOnly === '/' : pathOnly.startsWith(x));
  return prefix(e.path) || (e.also ?? []).some(prefix);
}

/** What is wrong with a list of modules: two routes with one path, a menu
 * entry without its route, or shown to a role its route refuses. */
export function problems(modules: Module[]): string[] {
  const out: string[] = [];
  const seen = new Map<string, string>();
  for (const m of modules) {
    for (const r of m.routes) {
      const shape = r.path.replace(/:[^/]+/g, ':');
      if (seen.has(shape)) out.push(`${m.name}: ${r.path} is also a route of ${seen.get(shape)}`);
      seen.set(shape, m.name);
    }
  }
  for (const m of modules) {
    for (const e of m.menu ?? []) {
      const route = modules.flatMap((x) => x.routes).find((r) => r.path === e.path);
      if (!route) { out.push(`${m.name}: menu entry ${e.path} has no route`); continue; }
      const refused = route.public ? [] : rolesOf(modules, e).filter((x) => !route.roles.includes(x));
      if (refused.length) out.push(`${m.name}: menu entry ${e.path} shown to ${refused.join(', ')}, whom its route refuses`);
      const section = e.section ?? m.section;
      if (!section) out.push(`${m.name}: menu entry ${e.path} stands in no menu section`);
      else if (!modules.some((x) => x.section === section)) out.push(`${m.name}: menu entry ${e.path} names section ${section}, which no module has`);
    }
  }
  return out;
}
