// Case.tsx — start a case (kind, items from the customer's purchases or
// "not sold here", receipt, the customer's words), then see the desk's
// recommendation, resolve it or depart from it with a reason, wait for a
// manager when the policy asks, and follow the case to its end.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, newKey, type S } from '../../api/client';
import { recordCaseCard, type CardOutcome } from '../../api/cards';
import { approveCase, cancelCase, createCase, decideCase, followUpCase, getCase, rejectCase, resolveCase } from '../../api/cases';
import { getCustomer, getCustomerPurchases } from '../../api/customers';
import { setRepairStatus } from '../../api/repairs';
import { lang, money, parseEuros, t, when } from '../../i18n';
import { CardOutcomeButtons, ValueCardBox } from '../feedback/Cards';
import { go } from '../../router';
import { Link, me } from '../../shared';
import { useSignal } from '../../state';
import { amountError, asError, Badge, ErrorNote, Field, Notice, NoteIssued, Page, Select } from '../../ui';

const KINDS = ['return', 'exchange', 'repair', 'complaint', 'price_adjustment', 'referral'];
const CONDITIONS = ['new', 'used', 'worn', 'defective'];
const RESOLUTIONS = ['refund', 'store_credit', 'exchange', 'repair_manufacturer', 'repair_in_store', 'refer_elsewhere', 'decline'];
const REFERRALS = ['not_in_range', 'cheaper_elsewhere', 'out_of_stock', 'other'];
const MONEY = ['refund', 'store_credit', 'exchange', 'refer_elsewhere'];

interface ItemDraft { ours: boolean; gift: boolean; line: string; sku: string; receipt: string; brand: string; description: string; price: string; condition: string }
const emptyItem = (ours: boolean): ItemDraft => ({ ours, gift: false, line: '', sku: '', receipt: '', brand: '', description: '', price: '', condition: 'new' });

export function CaseNew({ customerId }: { customerId: number }) {
  const user = useSignal(me);
  const [customer, setCustomer] = useState<S['Customer'] | null>(null);
  const [lines, setLines] = useState<S['PurchaseLine'][]>([]);
  const [kind, setKind] = useState('return');
  const [receipt, setReceipt] = useState(false);
  const [words, setWords] = useState('');
  const [refTo, setRefTo] = useState('');
  const [refWhy, setRefWhy] = useState('cheaper_elsewhere');
  const [contact, setContact] = useState('');
  const [items, setItems] = useState<ItemDraft[]>([emptyItem(customerId > 0)]);
  const [error, setError] = useState<ApiError | null>(null);
  const [key] = useState(() => newKey('case'));
  useEffect(() => {
    if (!customerId) return;
    getCustomer(customerId).then(setCustomer).catch((e) => setError(asError(e)));
    getCustomerPurchases(customerId, 50).then((r) => setLines(r.items)).catch(() => {});
  }, [customerId]);
  const setItem = (i: number, patch: Partial<ItemDraft>) => setItems(items.map((it, j) => (j === i ? { ...it, ...patch } : it)));
  const submit = async (e: Event) => {
    e.preventDefault();
    const body: any = { kind, receipt, customer_words: words, store_code: user?.store_code ?? undefined, items: [] };
    if (customerId) body.customer_id = customerId;
    // A walk-in's contact: the desk keeps it (as a code) only where it asks for one.
    else if (!receipt && contact.trim()) body.walk_in_contact = contact.trim();
    if (kind === 'referral' || ((kind === 'return' || kind === 'exchange') && refTo.trim())) body.referral = { to: refTo.trim(), reason: refWhy };
    let local: ApiError | null = null;
    items.forEach((it, i) => {
      if (it.ours) {
        // A present comes on someone else's receipt: typed in, never from the customer's own purchases.
        const [rid, sku] = it.line && !it.gift ? it.line.split('|') : [it.receipt, it.sku];
        const o: any = { sku, condition: it.condition };
        if (rid) o.receipt_id = rid;
        if (it.gift) o.gift_receipt = true;
        body.items.push(o);
      } else {
        const cents = parseEuros(it.price);
        if (cents === null) local = amountError(`items[${i}].stated_price_cents`);
        body.items.push({ sold_here: false, brand: it.brand, description: it.description, stated_price_cents: cents ?? 0, condition: it.condition });
      }
    });
    if (local) { setError(local); return; }
    try {
      const k = await createCase(body, key);
      go(`/cases/${k.id}`);
    } catch (err) { setError(asError(err)); }
  };
  return (
    <Page title={customer ? t('case.new_for', { name: customer.name ?? '' }) : t('case.new_walk_in')}>
      <form class="card form" onSubmit={submit} noValidate>
        <Select label={t('case.kind')} name="kind" value={kind} onChange={setKind} error={error}
          options={KINDS.map((k) => [k, t(`kind.${k}`)])} />
        <div class="check"><input id="receipt" type="checkbox" checked={receipt} onChange={(e) => setReceipt((e.target as HTMLInputElement).checked)} />
          <label for="receipt">{t('case.has_receipt')}</label></div>
        {!customerId && !receipt ? <Field label={t('case.walk_in_contact')} name="walk_in_contact" value={contact} onInput={setContact}
          error={error} autoComplete="off" hint={t('case.walk_in_contact_hint')} /> : null}
        <Field label={t('case.words')} name="customer_words" value={words} onInput={setWords} textarea error={error} hint={t('case.words_hint')} />
        {kind === 'referral' || kind === 'return' || kind === 'exchange' ? <fieldset>
          <legend>{kind === 'referral' ? t('case.referral') : t('case.elsewhere')}</legend>
          {kind !== 'referral' ? <p class="hint">{t('case.elsewhere_hint')}</p> : null}
          <Field label={t('case.referral_to')} name="referral_to" errorName="referral.to" value={refTo} onInput={setRefTo} error={error} />
          <Select label={t('case.referral_reason')} name="referral_reason" errorName="referral.reason" value={refWhy} onChange={setRefWhy} error={error}
            options={REFERRALS.map((r) => [r, t(`referral.${r}`)])} />
        </fieldset> : null}
        {items.map((it, i) => (
          <fieldset class="item">
            <legend>{t('case.item_n', { n: i + 1 })} — {it.ours ? t('case.ours') : t('case.not_ours')}</legend>
            {it.ours ? <div class="check"><input id={`item${i}-gift`} type="checkbox" checked={it.gift}
              onChange={(e) => setItem(i, { gift: (e.target as HTMLInputElement).checked })} />
              <label for={`item${i}-gift`}>{t('case.gift_receipt')}</label></div> : null}
            {it.ours ? (customerId && lines.length && !it.gift ? (
              <Select label={t('case.from_purchases')} name={`item${i}-line`} errorName={`items[${i}].sku`} value={it.line} error={error}
                onChange={(v) => setItem(i, { line: v })}
                options={[['', t('case.choose_purchase')] as [string, string]].concat(lines.map((l) =>
                  [`${l.receipt_id}|${l.sku}`, `${new Date(l.purchased_at).toLocaleDateString(lang.get())} · ${l.product_name} (${l.brand}) · ${money(l.unit_price_cents)}`] as [string, string]))} />
            ) : <>
              <Field label={t('case.sku')} name={`item${i}-sku`} errorName={`items[${i}].sku`} value={it.sku} onInput={(v) => setItem(i, { sku: v })} error={error} />
              <Field label={it.gift ? t('case.gift_receipt_id') : t('case.receipt_id')} name={`item${i}-receipt`} errorName={`items[${i}].receipt_id`} value={it.receipt} onInput={(v) => setItem(i, { receipt: v })} error={error} />
            </>) : <>
              <Field label={t('case.brand')} name={`item${i}-brand`} errorName={`items[${i}].brand`} value={it.brand} onInput={(v) => setItem(i, { brand: v })} error={error} />
              <Field label={t('case.description')} name={`item${i}-description`} errorName={`items[${i}].description`} value={it.description} onInput={(v) => setItem(i, { description: v })} error={error} />
              <Field label={t('case.stated_price')} name={`item${i}-price`} errorName={`items[${i}].stated_price_cents`} value={it.price} inputMode="decimal"
                onInput={(v) => setItem(i, { price: v })} error={error} hint={t('case.stated_price_hint')} />
            </>}
            <Select label={t('case.condition')} name={`item${i}-condition`} errorName={`items[${i}].condition`} value={it.condition} error={error}
              onChange={(v) => setItem(i, { condition: v })} options={CONDITIONS.map((c) => [c, t(`condition.${c}`)])} />
            <div class="row">
              <button type="button" onClick={() => setItem(i, { ...emptyItem(!it.ours) })}>{it.ours ? t('case.switch_not_ours') : t('case.switch_ours')}</button>
              {items.length > 1 ? <button type="button" onClick={() => setItems(items.filter((_, j) => j !== i))}>{t('case.remove_item')}</button> : null}
            </div>
          </fieldset>
        ))}
        <div class="row">
          <button type="button" onClick={() => setItems([...items, emptyItem(true)])}>{t('case.add_ours')}</button>
          <button type="button" onClick={() => setItems([...items, emptyItem(false)])}>{t('case.add_not_ours')}</button>
        </div>
        <ErrorNote error={error} />
        <button type="submit" class="primary">{t('case.open')}</button>
      </form>
    </Page>
  );
}

function riskWords(level: string) { return t(`risk.${level}`); }

/** An event's detail in words: kinds and resolutions translated, amounts in euros. */
function eventDetail(action: string, detail: string | null): string {
  if (!detail) return '';
  if (action === 'opened') return t(`kind.${detail}`);
  const m = detail.match(/^([a-z_]+) (\d+)$/);
  if ((action === 'resolved' || action === 'approval_requested') && m) return `${t(`resolution.${m[1]}`)} ${money(+m[2])}`;
  if (action === 'repair') {
    const [step, ...rest] = detail.split(': ');
    return rest.length ? `${t(`repair.${step}`)}: ${rest.join(': ')}` : t(`repair.${step}`);
  }
  return detail;
}

function Recommendation({ d, lead }: { d: S['Decision']; lead: boolean }) {
  const l = useSignal(lang);
  return (
    <div class={`card rec risk-${d.risk.level}`} aria-labelledby="rec-title">
      <h2 id="rec-title">{t('case.recommendation')}</h2>
      <p class="rec-main"><strong>{t(`resolution.${d.resolution}`)}</strong>{MONEY.includes(d.resolution) || d.max_amount_cents ? ` · ${t('case.up_to', { amount: money(d.max_amount_cents) })}` : ''}</p>
      {d.needs_approval ? <Notice kind="warn">{t('case.needs_approval')}</Notice> : <Notice kind="ok">{t('case.no_approval')}</Notice>}
      <ul class="reasons">{d.reasons.map((r) => <li>{l === 'nl' ? r.nl : r.en}</li>)}</ul>
      <p><Badge kind={`risk-${d.risk.level}`}>{riskWords(d.risk.level)}</Badge></p>
      {lead ? <details><summary>{t('case.risk_details', { score: d.risk.score })}</summary>
        <ul>{d.risk.reasons.map((r) => <li>{l === 'nl' ? r.nl : r.en}</li>)}</ul></details> : null}
      <p class="muted">{t('case.policy_version', { v: d.policy_version })}</p>
    </div>
  );
}

/** The store's value card where the customer weighs another shop (the
 * decision's `value_card`): shown before the associate records the
 * resolution. The server is told once that it was shown, and again what the
 * customer then did; a case drawn again says what was recorded
 * (`value_card_shown`), so it is not turned back into "undecided". */
function DeskValueCard({ k, card, onRecorded }: { k: S['Case']; card: S['ValueCard']; onRecorded: (r: S['CaseValueCardShown']) => void }) {
  const was = k.value_card_shown?.card_id === card.id ? k.value_card_shown.outcome : null;
  const [outcome, setOutcome] = useState<CardOutcome | null>(was);
  const [error, setError] = useState<ApiError | null>(null);
  const record = async (o: CardOutcome) => {
    try {
      const r = await recordCaseCard(k.id, { card_id: card.id, outcome: o });
      setOutcome(r.outcome);
      onRecorded({ card_id: r.card_id, outcome: r.outcome });
      setError(null);
    } catch (e) { setError(asError(e)); }
  };
  useEffect(() => { if (!was) record('undecided'); }, [k.id, card.id]);
  return (
    <ValueCardBox card={card}>
      <p class="hint">{t('vc.desk_hint')}</p>
      <CardOutcomeButtons chosen={outcome ?? undefined} onChoose={record} />
      {outcome ? <p class="muted vc-recorded" role="status">{t(`vc.recorded.${outcome}`)}</p> : null}
      <ErrorNote error={error} />
    </ValueCardBox>
  );
}

export function CaseView({ id }: { id: number }) {
  const user = useSignal(me);
  const l = useSignal(lang);
  const [k, setK] = useState<S['Case'] | null>(null);
  const [d, setD] = useState<S['Decision'] | null>(null);
  const [card, setCard] = useState<S['ValueCard'] | null>(null);
  const [outcome, setOutcome] = useState<S['CaseOutcome'] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [res, setRes] = useState('');
  const [amount, setAmount] = useState('');
  const [why, setWhy] = useState('');
  const [refTo, setRefTo] = useState('');
  const [refWhy, setRefWhy] = useState('cheaper_elsewhere');
  const [rma, setRma] = useState('');
  const [note, setNote] = useState('');
  const [contact, setContact] = useState('');
  const [key, setKey] = useState(() => newKey('resolve'));
  const lead = user?.role === 'admin' || (user?.role === 'manager' && user.store_code === k?.store_code);
  const load = async () => {
    try {
      const c = await getCase(id);
      setK(c);
      if (c.status === 'open') {
        const dd = await decideCase(id);
        setD(dd);
        setCard(dd.value_card ?? null);
        setRes(dd.resolution);
        setAmount((dd.max_amount_cents / 100).toFixed(2).replace('.', l === 'nl' ? ',' : '.'));
      } else setD(null);
    } catch (e) { setError(asError(e)); }
  };
  useEffect(() => { load(); }, [id]);
  if (!k) return <Page title={t('case.title', { id })}>{error ? <ErrorNote error={error} /> : <p>{t('common.loading')}</p>}</Page>;
  const cents = MONEY.includes(res) ? parseEuros(amount) : 0;
  const departs = d !== null && (res !== d.resolution || (cents ?? 0) > d.max_amount_cents);
  const act = async (fn: () => Promise<S['Case'] | S['CaseWithOutcome']>) => {
    setError(null);
    try {
      const r = await fn();
      setK(r);
      setOutcome('outcome' in r ? (r as S['CaseWithOutcome']).outcome : null);
      setD(null);
      setKey(newKey('resolve'));
    } catch (e) { setError(asError(e)); }
  };
  const resolve = (e: Event) => {
    e.preventDefault();
    if (cents === null) { setError(amountError('amount_cents')); return; }
    const body: any = { resolution: res, amount_cents: cents };
    if (departs || why) body.override_reason = why;
    if (res === 'refer_elsewhere' && !k.referral) body.referral = { to: refTo, reason: refWhy };
    if (res.startsWith('repair') && rma) body.rma_number = rma;
    if (d?.ask_walk_in_contact && contact.trim()) body.walk_in_contact = contact.trim();
    act(() => resolveCase(id, body, key));
  };
  const code = outcome?.credit_note?.code;
  return (
    <Page title={t('case.title', { id })} actions={<Badge kind={k.status}>{t(`status.${k.status}`)}</Badge>}>
      <div class="grid2">
        <div class="card">
          <h2>{t(`kind.${k.kind}`)}</h2>
          <dl>
            <dt>{t('case.customer')}</dt><dd>{k.customer_id ? <Link to={`/customers/${k.customer_id}`}>{t('case.open_customer')}</Link> : t('case.walk_in')}</dd>
            <dt>{t('case.store')}</dt><dd>{k.store_code}</dd>
            <dt>{t('case.associate')}</dt><dd>{k.associate}</dd>
            <dt>{t('case.has_receipt')}</dt><dd>{k.receipt ? t('common.yes') : t('common.no')}</dd>
            {k.walk_in_contact_kept ? <><dt>{t('case.walk_in_contact')}</dt><dd>{t('case.walk_in_contact_kept')}</dd></> : null}
            <dt>{t('case.words')}</dt><dd>{k.customer_words || '—'}</dd>
            {k.referral ? <><dt>{t('case.referral')}</dt><dd>{k.referral.to} · {t(`referral.${k.referral.reason}`)}</dd></> : null}
            {k.value_card_shown && !card ? <><dt>{t('vc.case_row')}</dt><dd>{t(`vc.shown.${k.value_card_shown.outcome}`)}</dd></> : null}
          </dl>
          <h3>{t('case.items')}</h3>
          <ul>{k.items.map((it: any) => <li>
            {it.sold_here ? `${it.description ?? it.sku} (${it.brand ?? ''}) · ${money(it.price_paid_cents)} · ${t(`proof.${it.proof ?? 'none'}`)}` :
              `${it.description} (${it.brand}) · ${t('case.stated')} ${money(it.stated_price_cents)} · ${t('case.not_ours')}`}
            {' · '}{t(`condition.${it.condition}`)}</li>)}</ul>
        </div>
        {d ? <Recommendation d={d} lead={lead} /> : k.recommendation ? (
          <div class="card"><h2>{t('case.recommendation')}</h2>
            <p>{t(`resolution.${k.recommendation.resolution}`)} · {money(k.recommendation.max_amount_cents)}</p>
            <ul class="reasons">{k.recommendation.reasons.map((r) => <li>{l === 'nl' ? r.nl : r.en}</li>)}</ul>
            <p><Badge kind={`risk-${k.recommendation.risk.level}`}>{riskWords(k.recommendation.risk.level)}</Badge></p>
            {k.resolution ? <p><strong>{t('case.chosen')}:</strong> {t(`resolution.${k.resolution.resolution}`)} · {money(k.resolution.amount_cents)}
              {k.resolution.override_reason ? <> · {t('case.override_reason')}: {k.resolution.override_reason}</> : null}</p> : null}
          </div>) : null}
      </div>
      {card ? <DeskValueCard k={k} card={card} onRecorded={(r) => setK({ ...k, value_card_shown: r })} /> : null}
      {code ? <NoteIssued code={code} /> : null}
      {k.status === 'awaiting_approval' ? <Notice kind="warn">{t('case.waiting')}</Notice> : null}
      <ErrorNote error={error} />
      {k.status === 'open' && d ? (
        <form class="card form" onSubmit={resolve} noValidate aria-labelledby="resolve-title">
          <h2 id="resolve-title">{t('case.resolve')}</h2>
          <Select label={t('case.resolution')} name="resolution" value={res} onChange={setRes} error={error}
            options={RESOLUTIONS.map((r) => [r, t(`resolution.${r}`)])} />
          {MONEY.includes(res) ? <Field label={t('case.amount')} name="amount_cents" value={amount} onInput={setAmount} inputMode="decimal" error={error} /> : null}
          {departs || error?.field('override_reason') ? <Field label={t('case.override_reason')} name="override_reason" value={why} onInput={setWhy} textarea
            error={error} hint={t('case.override_hint')} required /> : null}
          {res === 'refer_elsewhere' && !k.referral ? <>
            <Field label={t('case.referral_to')} name="referral_to" errorName="referral.to" value={refTo} onInput={setRefTo} error={error} />
            <Select label={t('case.referral_reason')} name="referral_reason" errorName="referral.reason" value={refWhy} onChange={setRefWhy} error={error}
              options={REFERRALS.map((r) => [r, t(`referral.${r}`)])} /></> : null}
          {res.startsWith('repair') ? <Field label={t('case.rma')} name="rma_number" value={rma} onInput={setRma} error={error} /> : null}
          {d.ask_walk_in_contact ? <>
            <Notice kind="info">{t('case.walk_in_contact_asked')}</Notice>
            <Field label={t('case.walk_in_contact')} name="walk_in_contact" value={contact} onInput={setContact} error={error}
              autoComplete="off" hint={t('case.walk_in_contact_hint')} /></> : null}
          <button type="submit" class="primary">{departs ? t('case.resolve_override') : t('case.accept')}</button>
        </form>) : null}
      {k.status === 'awaiting_approval' && lead && k.associate === user?.login ? <Notice kind="info">{t('approval.not_own')}</Notice> : null}
      {k.status === 'awaiting_approval' && lead && k.associate !== user?.login ? (
        <div class="card form">
          <h2>{t('approval.title')}</h2>
          <Field label={t('approval.note')} name="note" value={note} onInput={setNote} textarea error={error} errorName="reason" />
          <div class="row">
            <button class="primary" onClick={() => act(() => approveCase(id, note ? { note } : {}, key))}>{t('approval.approve')}</button>
            <button onClick={() => act(() => rejectCase(id, { reason: note }))}>{t('approval.reject')}</button>
          </div>
        </div>) : null}
      {k.status === 'resolved' ? (
        <form class="card form" onSubmit={(e) => { e.preventDefault(); act(() => followUpCase(id, { note })); }}>
          <h2>{t('case.follow_up')}</h2>
          <Field label={t('case.follow_up_note')} name="note" value={note} onInput={setNote} textarea error={error} />
          <button type="submit">{t('case.follow_up_save')}</button>
        </form>) : null}
      {k.status === 'open' || k.status === 'awaiting_approval' ? (
        <details class="card"><summary>{t('case.cancel')}</summary>
          <form class="form" onSubmit={(e) => { e.preventDefault(); act(() => cancelCase(id, { reason: why })); }}>
            <Field label={t('case.cancel_reason')} name="reason" value={why} onInput={setWhy} error={error} />
            <button type="submit">{t('case.cancel_do')}</button>
          </form></details>) : null}
      {k.repair ? <RepairBox repair={k.repair} onChange={load} /> : null}
      <h2>{t('case.history')}</h2>
      <ol class="events">{k.events.map((e) => <li><time>{when(e.at)}</time> {e.staff ?? ''} — {t(`event.${e.action}`)}{e.detail ? `: ${eventDetail(e.action, e.detail)}` : ''}</li>)}</ol>
    </Page>
  );
}

const REPAIR_STEPS = ['taken_in', 'sent', 'at_manufacturer', 'back_in_store', 'customer_told', 'collected'];

export function RepairBox({ repair, onChange }: { repair: S['Repair']; onChange: () => void }) {
  const [rma, setRma] = useState(repair.rma_number ?? '');
  const [error, setError] = useState<ApiError | null>(null);
  const at = REPAIR_STEPS.indexOf(repair.status);
  const next = REPAIR_STEPS.filter((s, i) => i > at && !(repair.via === 'store' && (s === 'sent' || s === 'at_manufacturer')));
  const step = async (status: string) => {
    try {
      const body: any = { status };
      if (rma && rma !== repair.rma_number) body.rma_number = rma;
      await setRepairStatus(repair.case_id, body);
      setError(null);
      onChange();
    } catch (e) { setError(asError(e)); }
  };
  return (
    <div class="card" aria-labelledby={`repair-${repair.case_id}`}>
      <h2 id={`repair-${repair.case_id}`}>{t('repair.title')}</h2>
      <ol class="steps">{REPAIR_STEPS.map((s, i) => <li class={i <= at ? 'done' : ''} aria-current={i === at ? 'step' : undefined}>{t(`repair.${s}`)}</li>)}</ol>
      <p>{repair.manufacturer ?? ''} {repair.rma_number ? `· RMA ${repair.rma_number}` : ''}</p>
      {next.length ? <>
        <Field label={t('case.rma')} name={`rma-${repair.case_id}`} errorName="rma_number" value={rma} onInput={setRma} error={error} />
        <div class="row">{next.map((s) => <button onClick={() => step(s)}>{t('repair.to', { step: t(`repair.${s}`) })}</button>)}</div>
      </> : null}
      <ErrorNote error={error} />
    </div>
  );
}
