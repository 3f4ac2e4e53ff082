// Desk.tsx — find the customer as you type: name, e-mail, phone or loyalty number.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type S } from '../../api/client';
import { searchCustomers } from '../../api/customers';
import { t } from '../../i18n';
import { go } from '../../router';
import { Link } from '../../shared';
import { asError, ErrorNote, Page, useAutoFocus } from '../../ui';

export function Desk() {
  const [q, setQ] = useState(sessionStorage.getItem('td.q') ?? '');
  const [items, setItems] = useState<S['Customer'][] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const seq = useRef(0);
  const box = useAutoFocus<HTMLInputElement>();
  useEffect(() => {
    sessionStorage.setItem('td.q', q);
    const term = q.trim();
    if (term.length < 2) { setItems(null); return; }
    const mine = ++seq.current;
    const timer = setTimeout(async () => {
      try {
        const r = await searchCustomers(term, 20);
        if (mine === seq.current) { setItems(r.items); setError(null); }
      } catch (e) {
        if (mine === seq.current) setError(asError(e));
      }
    }, 120);
    return () => clearTimeout(timer);
  }, [q]);
  return (
    <Page title={t('desk.title')} actions={<div class="actions">
      <Link to="/customers/new" class="button">{t('desk.new_customer')}</Link>
      <Link to="/cases/new" class="button">{t('desk.walk_in')}</Link>
    </div>}>
      <form role="search" onSubmit={(e) => { e.preventDefault(); if (items?.length) go(`/customers/${items[0].id}`); }}>
        <label for="q" class="big-label">{t('desk.search_label')}</label>
        <input id="q" ref={box} class="search" type="search" value={q} autoComplete="off"
          placeholder={t('desk.search_placeholder')} aria-describedby="q-hint"
          onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
        <div id="q-hint" class="hint">{t('desk.search_hint')}</div>
      </form>
      <ErrorNote error={error} />
      {items && items.length === 0 ? <p role="status">{t('desk.none')}</p> : null}
      {items && items.length > 0 ? (
        <ul class="results" aria-label={t('desk.results')}>
          {items.map((c) => (
            <li><Link to={`/customers/${c.id}`}>
              <strong>{c.name}</strong>
              <span>{c.loyalty_number ?? t('customer.no_card')}</span>
              <span>{c.email ?? ''}</span>
              <span>{c.phone ?? ''}</span>
              <span>{c.home_store_code ?? ''}</span>
            </Link></li>
          ))}
        </ul>
      ) : null}
    </Page>
  );
}
