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

export function query(name: string): string | null {
  return new URLSearchParams(path.get().split('?')[1] ?? '').get(name);
}
