// shared.tsx — who is logged in, and links that move without a reload.
import type { ComponentChildren } from 'preact';
import type { S } from './api/client';
import { go } from './router';
import { signal } from './state';

export const me = signal<S['Staff'] | null>(null);

export function Link({ to, children, class: cls }: { to: string; children: ComponentChildren; class?: string }) {
  return <a href={to} class={cls} onClick={(e) => { if (e.ctrlKey || e.metaKey) return; e.preventDefault(); go(to); }}>{children}</a>;
}
