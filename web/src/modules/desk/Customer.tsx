// Customer.tsx — a customer's profile (contact, consent, relationship,
// purchases, cases, credit notes) and the form for a new customer.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, type S } from '../../api/client';
import { createCustomer, getCustomer, getCustomerCases, getCustomerCreditNotes, getCustomerFacts, getCustomerPurchases } from '../../api/customers';
import { day, money, t, when } from '../../i18n';
import { go } from '../../router';
import { Link } from '../../shared';
import { asError, Badge, ErrorNote, Field, Page, Select } from '../../ui';

/** The customer's two tabs: the desk's profile and clienteling's sizes and preferences. */
export function CustomerTabs({ id, current }: { id: number; current: 'profile' | 'clienteling' }) {
  return (
    <nav class="tabs" aria-label={t('customer.tabs')}>
      <a href={`/customers/${id}`} aria-current={current === 'profile' ? 'page' : undefined} onClick={(e) => { e.preventDefault(); go(`/customers/${id}`); }}>{t('customer.title')}</a>
      <a href={`/customers/${id}/clienteling`} aria-current={current === 'clienteling' ? 'page' : undefined} onClick={(e) => { e.preventDefault(); go(`/customers/${id}/clienteling`); }}>{t('cl.profile')}</a>
    </nav>
  );
}

interface Profile {
  c: S['Customer']; facts: S['CustomerFacts']; purchases: S['PurchaseLine'][];
  cases: S['CaseSummary'][]; notes: S['CreditNote'][];
}

export function CustomerView({ id }: { id: number }) {
  const [p, setP] = useState<Profile | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    (async () => {
      try {
        const [c, facts, purchases, cases, notes] = await Promise.all([
          getCustomer(id),
          getCustomerFacts(id),
          getCustomerPurchases(id, 20),
          getCustomerCases(id, 20),
          getCustomerCreditNotes(id),
        ]);
        setP({ c, facts, purchases: purchases.items, cases: cases.items, notes: notes.items });
      } catch (e) { setError(asError(e)); }
    })();
  }, [id]);
  if (error) return <Page title={t('customer.title')}><ErrorNote error={error} /></Page>;
  if (!p) return <Page title={t('customer.title')}><p>{t('common.loading')}</p></Page>;
  const { c, facts } = p;
  return (
    <Page title={c.name ?? t('customer.erased')} actions={
      <Link to={`/customers/${id}/cases/new`} class="button primary">{t('customer.start_case')}</Link>}>
      <CustomerTabs id={id} current="profile" />
      <div class="grid2">
        <div class="card">
          <h2>{t('customer.contact')}</h2>
          <dl>
            <dt>{t('customer.loyalty_number')}</dt><dd>{c.loyalty_number ?? t('customer.no_card')}</dd>
            <dt>{t('customer.email')}</dt><dd>{c.email ?? '—'}</dd>
            <dt>{t('customer.phone')}</dt><dd>{c.phone ?? '—'}</dd>
            <dt>{t('customer.home_store')}</dt><dd>{c.home_store_code ?? '—'}</dd>
            <dt>{t('customer.lang')}</dt><dd>{t(c.lang === 'en' ? 'customer.lang_en' : 'customer.lang_nl')}</dd>
            <dt>{t('customer.consent_email')}</dt><dd>{c.consent.email_marketing.given ? t('common.yes') : t('common.no')}</dd>
            <dt>{t('customer.consent_phone')}</dt><dd>{c.consent.phone_marketing.given ? t('common.yes') : t('common.no')}</dd>
          </dl>
        </div>
        <div class="card">
          <h2>{t('customer.relationship')}</h2>
          <dl>
            <dt>{t('customer.tier')}</dt><dd><Badge kind={`tier-${facts.tier}`}>{t(`tier.${facts.tier}`)}</Badge></dd>
            <dt>{t('customer.spend')}</dt><dd>{money(facts.lifetime_spend_cents)}</dd>
            <dt>{t('customer.visits')}</dt><dd>{facts.visits}</dd>
            <dt>{t('customer.tenure')}</dt><dd>{t('customer.days', { n: facts.tenure_days })}</dd>
            <dt>{t('customer.cases_90d')}</dt><dd>{facts.cases_90d}</dd>
          </dl>
        </div>
      </div>
      <h2>{t('customer.cases')}</h2>
      {p.cases.length === 0 ? <p>{t('customer.no_cases')}</p> : (
        <table><thead><tr><th>{t('case.id')}</th><th>{t('case.kind')}</th><th>{t('case.status')}</th><th>{t('case.store')}</th><th>{t('case.opened')}</th></tr></thead>
          <tbody>{p.cases.map((k) => <tr>
            <td><Link to={`/cases/${k.id}`}>#{k.id}</Link></td><td>{t(`kind.${k.kind}`)}</td>
            <td><Badge kind={k.status}>{t(`status.${k.status}`)}</Badge></td><td>{k.store_code}</td><td>{when(k.created_at)}</td></tr>)}</tbody></table>)}
      <h2>{t('customer.notes')}</h2>
      {p.notes.length === 0 ? <p>{t('customer.no_notes')}</p> : (
        <table><thead><tr><th>{t('note.hint')}</th><th>{t('note.amount')}</th><th>{t('note.balance')}</th><th>{t('note.status')}</th><th>{t('note.expires')}</th></tr></thead>
          <tbody>{p.notes.map((n) => <tr><td>…{n.code_hint}</td><td>{money(n.amount_cents)}</td><td>{money(n.balance_cents)}</td>
            <td>{t(`note_status.${n.status}`)}</td><td>{day(n.expires_at)}</td></tr>)}</tbody></table>)}
      <h2>{t('customer.purchases')}</h2>
      {p.purchases.length === 0 ? <p>{t('customer.no_purchases')}</p> : (
        <table><thead><tr><th>{t('purchase.date')}</th><th>{t('purchase.receipt')}</th><th>{t('purchase.product')}</th><th>{t('purchase.brand')}</th><th class="num">{t('purchase.price')}</th></tr></thead>
          <tbody>{p.purchases.map((l) => <tr><td>{day(l.purchased_at)}</td><td>{l.receipt_id}</td><td>{l.product_name}</td><td>{l.brand}</td>
            <td class="num">{money(l.unit_price_cents)}{l.quantity > 1 ? ` × ${l.quantity}` : ''}</td></tr>)}</tbody></table>)}
    </Page>
  );
}

export function CustomerNew() {
  const [f, setF] = useState({ name: '', email: '', phone: '', loyalty_number: '', lang: 'nl' });
  const [emailOk, setEmailOk] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const set = (k: keyof typeof f) => (v: string) => setF({ ...f, [k]: v });
  const submit = async (e: Event) => {
    e.preventDefault();
    const body: S['CustomerCreate'] = { name: f.name, lang: f.lang === 'en' ? 'en' : 'nl' };
    if (f.email) body.email = f.email;
    if (f.phone) body.phone = f.phone;
    if (f.loyalty_number) body.loyalty_number = f.loyalty_number;
    if (emailOk) body.consent = { email_marketing: { given: true } };
    try {
      const c = await createCustomer(body);
      go(`/customers/${c.id}`);
    } catch (err) { setError(asError(err)); }
  };
  return (
    <Page title={t('customer.new_title')}>
      <form class="card form" onSubmit={submit} noValidate>
        <Field label={t('customer.name')} name="name" value={f.name} onInput={set('name')} required autoFocus error={error} />
        <Field label={t('customer.email')} name="email" type="email" value={f.email} onInput={set('email')} error={error} inputMode="email" />
        <Field label={t('customer.phone')} name="phone" type="tel" value={f.phone} onInput={set('phone')} error={error} inputMode="tel" />
        <Field label={t('customer.loyalty_number')} name="loyalty_number" value={f.loyalty_number} onInput={set('loyalty_number')} error={error} />
        <Select label={t('customer.lang')} name="lang" value={f.lang} onChange={set('lang')} error={error}
          options={[['nl', t('customer.lang_nl')], ['en', t('customer.lang_en')]]} />
        <div class="check"><input id="consent-email" type="checkbox" checked={emailOk} onChange={(e) => setEmailOk((e.target as HTMLInputElement).checked)} />
          <label for="consent-email">{t('customer.consent_email_ask')}</label></div>
        <ErrorNote error={error} />
        <button type="submit" class="primary">{t('customer.create')}</button>
      </form>
    </Page>
  );
}
