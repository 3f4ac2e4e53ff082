// i18n.ts — every string on screen comes from i18n/nl.json or en.json.
import { signal } from './state';
import nl from './i18n/nl.json';
import en from './i18n/en.json';

export type Lang = 'nl' | 'en';
const tables: Record<Lang, Record<string, string>> = { nl, en };
export const lang = signal<Lang>((localStorage.getItem('td.lang') as Lang) || 'nl');

export function setLang(l: Lang) {
  lang.set(l);
  localStorage.setItem('td.lang', l);
  document.documentElement.lang = l;
}

/** The text for key in the current language, with {name} filled in. */
export function t(key: string, vars: Record<string, string | number> = {}): string {
  const s = tables[lang.get()][key] ?? tables.en[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k) => (k in vars ? String(vars[k]) : `{${k}}`));
}

export function money(cents: number | null | undefined): string {
  const v = (cents ?? 0) / 100;
  return new Intl.NumberFormat(lang.get() === 'nl' ? 'nl-NL' : 'en-GB', { style: 'currency', currency: 'EUR' }).format(v);
}

export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(lang.get() === 'nl' ? 'nl-NL' : 'en-GB', {
    dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Amsterdam',
  }).format(new Date(iso));
}

export function day(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(lang.get() === 'nl' ? 'nl-NL' : 'en-GB', { dateStyle: 'medium', timeZone: 'Europe/Amsterdam' })
    .format(new Date(iso));
}

/** Parses "24,99" or "24.99" euros into cents; null when it is not an amount. */
export function parseEuros(s: string): number | null {
  const m = s.trim().replace('€', '').trim().match(/^(\d{1,7})(?:[.,](\d{1,2}))?$/);
  if (!m) return null;
  return parseInt(m[1], 10) * 100 + (m[2] ? parseInt(m[2].padEnd(2, '0'), 10) : 0);
}
