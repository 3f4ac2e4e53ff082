// common.tsx — pieces the clienteling screens share: whose list a lead is
// looking at (an associate of the store, or the store pool), and the store
// an admin (who has none of their own) works on.
import { useEffect, useState } from 'preact/hooks';
import type { S } from '../../api/client';
import { listStaff } from '../../api/staff';
import { listStores } from '../../api/stores';
import { t } from '../../i18n';
import { me } from '../../shared';
import { useSignal } from '../../state';
import { Select } from '../../ui';

export const isLead = (u: S['Staff'] | null) => u?.role === 'manager' || u?.role === 'admin';

/** Whose list: '' (mine), 'pool', or an associate's login. As API filters. */
export function whoFilter(who: string): { staff?: string; pool?: string } {
  if (who === 'pool') return { pool: 'true' };
  return who ? { staff: who } : {};
}

/** For leads: a choice of the store's associates and the pool; nothing for an associate. */
export function WhoPicker({ value, onChange, store }: { value: string; onChange: (v: string) => void; store: string }) {
  const user = useSignal(me);
  const [staff, setStaff] = useState<S['Staff'][]>([]);
  useEffect(() => {
    if (isLead(user)) listStaff().then((r) => setStaff(r.items)).catch(() => setStaff([]));
  }, [user?.login]);
  if (!isLead(user)) return null;
  const colleagues = staff.filter((s) => s.active && s.store_code === store && s.login !== user?.login && s.role !== 'admin');
  return <Select label={t('cl.whose')} name="who" value={value} onChange={onChange}
    options={[['', t('cl.whose_mine')], ...colleagues.map((s) => [s.login, s.name] as [string, string]), ['pool', t('cl.pool')]]} />;
}

/** The store worked on: the user's own; an admin without one chooses. */
export function useStore(): [string, (s: string) => void] {
  const user = useSignal(me);
  const [store, setStore] = useState(user?.store_code ?? '');
  return [store, setStore];
}

export function StorePicker({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  const user = useSignal(me);
  const [stores, setStores] = useState<S['StoreList']['items']>([]);
  const pick = !user?.store_code;
  useEffect(() => { if (pick) listStores().then((r) => setStores(r.items)).catch(() => setStores([])); }, [pick]);
  if (!pick) return null;
  return <Select label={t('case.store')} name="store_code" value={value} onChange={onChange}
    options={[['', t('cl.choose_store')], ...stores.map((s) => [s.code, `${s.code} · ${s.name}`] as [string, string])]} />;
}

/** "58 %" for a rate of 0.58; a dash for null. */
export function pct(x: number | null | undefined, digits = 0): string {
  return x == null ? '—' : `${(x * 100).toFixed(digits)} %`;
}
