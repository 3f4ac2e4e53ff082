// state.ts — a tiny observable value, and a hook that re-renders on change.
import { useEffect, useState } from 'preact/hooks';

export interface Signal<T> { get(): T; set(v: T): void; sub(fn: () => void): () => void }

export function signal<T>(initial: T): Signal<T> {
  let v = initial;
  const subs = new Set<() => void>();
  return {
    get: () => v,
    set: (nv: T) => { v = nv; subs.forEach((f) => f()); },
    sub: (fn) => { subs.add(fn); return () => subs.delete(fn); },
  };
}

export function useSignal<T>(s: Signal<T>): T {
  const [, force] = useState(0);
  const drawn = s.get();
  useEffect(() => {
    const off = s.sub(() => force((n) => n + 1));
    // Set between the render and now (a child's effect runs first): draw again.
    if (s.get() !== drawn) force((n) => n + 1);
    return off;
  }, [s]);
  return drawn;
}
