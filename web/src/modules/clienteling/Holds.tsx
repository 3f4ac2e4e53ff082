// Holds.tsx — a store's holds, all or one product's (a sku, or a style code
// for every size), with release and cancel; closed ones on request.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, type S } from '../../api/client';
import { listHolds, releaseHold } from '../../api/holds';
import { t, when } from '../../i18n';
import { query as pathQuery } from '../../router';
import { Link } from '../../shared';
import { asError, Badge, ErrorNote, Field, Page } from '../../ui';
import { StorePicker, useStore } from './common';

export function Holds() {
  const [store, setStore] = useStore();
  const [sku, setSku] = useState(pathQuery('sku') ?? '');
  const [all, setAll] = useState(false);
  const [items, setItems] = useState<S['Hold'][] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const load = (product = sku, closed = all) => listHolds({ store_code: store || undefined, sku: product || undefined, active: closed ? 'false' : undefined })
    .then((r) => { setItems(r.items); setError(null); }).catch((e) => setError(asError(e)));
  useEffect(() => { if (store) load(); }, []);
  const release = async (h: S['Hold'], status: S['HoldRelease']['status']) => {
    try { await releaseHold(h.id, status); await load(); } catch (e) { setError(asError(e)); }
  };
  const byProduct = (code: string) => { setSku(code); load(code); };
  return (
    <Page title={t('nav.holds')}>
      <form class="card filters" onSubmit={(e) => { e.preventDefault(); load(); }}>
        <StorePicker value={store} onChange={setStore} />
        <Field label={t('cl.product')} name="sku" value={sku} onInput={setSku} error={error} hint={t('cl.product_hint')} />
        <div class="check"><input id="holds-all" type="checkbox" checked={all} onChange={(e) => setAll((e.target as HTMLInputElement).checked)} />
          <label for="holds-all">{t('cl.holds_closed_too')}</label></div>
        <button type="submit" class="primary">{t('cases.filter')}</button>
        {sku ? <button type="button" onClick={() => byProduct('')}>{t('cl.all_products')}</button> : null}
      </form>
      <ErrorNote error={error} />
      {items && !items.length ? <p role="status">{t('cl.holds_none')}</p> : null}
      {items?.length ? <table class="holds"><thead><tr><th>{t('cl.item')}</th><th>{t('cl.size')}</th><th>{t('case.customer')}</th><th>{t('case.status')}</th>
        <th>{t('cl.held_until')}</th><th><span class="sr-only">{t('cl.actions')}</span></th></tr></thead>
        <tbody>{items.map((h) => <tr>
          <td><button type="button" class="link" onClick={() => byProduct(h.style_code ?? h.sku)}>{h.name}</button> <span class="muted">{h.sku}</span></td>
          <td>{h.size}</td>
          <td><Link to={`/customers/${h.customer_id}/clienteling`}>{h.customer_name}</Link></td>
          <td><Badge kind={`hold-${h.status}`}>{t(`cl.hold_status.${h.status}`)}</Badge></td>
          <td>{h.status === 'active' ? when(h.expires_at) : when(h.closed_at)}</td>
          <td>{h.status === 'active' ? <span class="row">
            <button type="button" onClick={() => release(h, 'released')}>{t('cl.release')}<span class="sr-only"> {h.name} {h.size} · {h.customer_name}</span></button>
            <button type="button" class="link" onClick={() => release(h, 'cancelled')}>{t('cl.cancel_hold')}<span class="sr-only"> {h.name} {h.size} · {h.customer_name}</span></button></span> : null}</td>
        </tr>)}</tbody></table> : null}
    </Page>
  );
}
