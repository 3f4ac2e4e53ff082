// router.ts — paths in the address bar, history without reloads.
import { signal } from './state';

export const path = signal<string>(location.pathname + location.search);

export function go(to: string) {
  if (to === path.get()) return;
  history.pushState(null, '', to);
  path.set(to);
  window.scrollTo(0, 0);
}

window.addEventListener('popstate', () => path.set(location.pathname + location.search));

/** Matches "/cases/:id" against a path; the params, or null. */
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

export function query(name: string): string | null {
  return new URLSearchParams(path.get().split('?')[1] ?? '').get(name);
}
