// Book.tsx — my book: the customers an associate looks after, filtered by
// tier, last visit, category bought, size and consent, a page at a time.
// A lead picks one of the store's associates or the store pool.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, type S } from '../../api/client';
import { getBook } from '../../api/books';
import { day, money, t } from '../../i18n';
import { Link } from '../../shared';
import { asError, Badge, ErrorNote, Field, Page, Select } from '../../ui';
import { StorePicker, useStore, WhoPicker, whoFilter } from './common';

const TIERS = ['bronze', 'silver', 'gold', 'platinum'];

export function Book() {
  const [store, setStore] = useStore();
  const [who, setWho] = useState('');
  const [f, setF] = useState({ tier: '', visited_within_days: '', category: '', size: '', consent: '' });
  const [items, setItems] = useState<S['BookEntry'][] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const set = (k: keyof typeof f) => (v: string) => setF({ ...f, [k]: v });
  const load = async (more = false) => {
    try {
      const r = await getBook({ ...f, ...whoFilter(who), store_code: store || undefined, cursor: more ? next ?? undefined : undefined });
      setItems(more && items ? [...items, ...r.items] : r.items);
      setNext(r.next);
      setError(null);
    } catch (e) { setError(asError(e)); }
  };
  useEffect(() => { if (store) load(); }, []);
  return (
    <Page title={t('nav.book')}>
      <form class="card filters" onSubmit={(e) => { e.preventDefault(); load(); }}>
        <StorePicker value={store} onChange={setStore} />
        <WhoPicker value={who} onChange={setWho} store={store} />
        <Select label={t('cl.tier_at_least')} name="tier" value={f.tier} onChange={set('tier')} error={error}
          options={[['', t('common.any')], ...TIERS.map((x) => [x, t(`tier.${x}`)] as [string, string])]} />
        <Select label={t('cl.last_visit')} name="visited_within_days" value={f.visited_within_days} onChange={set('visited_within_days')} error={error}
          options={[['', t('common.any')], ...['30', '90', '180', '365'].map((d) => [d, t('cl.within_days', { n: d })] as [string, string])]} />
        <Field label={t('cl.category_bought')} name="category" value={f.category} onInput={set('category')} error={error} />
        <Field label={t('cl.size')} name="size" value={f.size} onInput={set('size')} error={error} />
        <Select label={t('cl.consent')} name="consent" value={f.consent} onChange={set('consent')} error={error}
          options={[['', t('common.any')], ['email', t('cl.channel.email')], ['phone', t('cl.channel.phone')], ['either', t('cl.consent_either')]]} />
        <button type="submit" class="primary">{t('cases.filter')}</button>
      </form>
      <ErrorNote error={error} />
      {items && !items.length ? <p role="status">{t('cl.book_empty')}</p> : null}
      {items?.length ? (
        <table class="book"><thead><tr><th>{t('customer.name')}</th><th>{t('customer.tier')}</th><th class="num">{t('customer.spend')}</th>
          <th>{t('cl.last_visit')}</th><th>{t('cl.consent')}</th><th>{t('cl.associate')}</th></tr></thead>
          <tbody>{items.map((c) => <tr>
            <td><Link to={`/customers/${c.customer_id}/clienteling`}>{c.name}</Link>{c.objected ? <> <Badge kind="objected">{t('cl.objected_short')}</Badge></> : null}</td>
            <td><Badge kind={`tier-${c.tier}`}>{t(`tier.${c.tier}`)}</Badge></td>
            <td class="num">{money(c.lifetime_spend_cents)}</td>
            <td>{day(c.last_purchase_at)}</td>
            <td>{[c.email_consent ? t('cl.channel.email') : '', c.phone_consent ? t('cl.channel.phone') : ''].filter(Boolean).join(', ') || t('cl.no_consent')}</td>
            <td>{c.staff_login ?? t('cl.pool')}{c.second_login ? ` · ${c.second_login}` : ''}</td></tr>)}</tbody></table>) : null}
      {next ? <button type="button" onClick={() => load(true)}>{t('cases.more')}</button> : null}
    </Page>
  );
}
