// Outreach.tsx — today's list (most valued first, each with its reason)
// and one task: the call script (sizes, what they bought before, the new
// items that fit with how many are left), one-tap outcomes, a hold on a
// size, the personal mail.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, newKey, type S } from '../../api/client';
import { createHold } from '../../api/holds';
import { getTask, mailTask, type Outcome, outreachToday, recordOutcome } from '../../api/outreach';
import { day, lang, money, t, when } from '../../i18n';
import { Link } from '../../shared';
import { useSignal } from '../../state';
import { asError, Badge, ErrorNote, Field, Notice, Page, Select } from '../../ui';
import { StorePicker, useStore, WhoPicker, whoFilter } from './common';

export function Today() {
  const l = useSignal(lang);
  const [store, setStore] = useStore();
  const [who, setWho] = useState('');
  const [items, setItems] = useState<S['TaskSummary'][] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const load = () => outreachToday({ ...whoFilter(who), store_code: store || undefined, lang: l })
    .then((r) => { setItems(r.items); setError(null); }).catch((e) => setError(asError(e)));
  useEffect(() => { if (store) load(); }, [who, store, l]);
  return (
    <Page title={t('nav.outreach')}>
      <div class="filters"><StorePicker value={store} onChange={setStore} /><WhoPicker value={who} onChange={setWho} store={store} /></div>
      <ErrorNote error={error} />
      {items && !items.length ? <p role="status">{t('cl.today_empty')}</p> : null}
      {items?.length ? <ol class="tasks" aria-label={t('cl.today_label')}>{items.map((k) => (
        <li><Link to={`/outreach/${k.id}`} class="task">
          <span class="task-name">{k.customer_name}</span>
          <span class="task-why">{k.why}</span>
          <span class="task-meta">{t(`cl.channel.${k.channel}`)} · {t('cl.size')} {k.size} · {t('cl.until', { at: when(k.lapses_at) })}</span>
        </Link></li>))}</ol> : null}
    </Page>
  );
}

const OUTCOMES: Outcome[] = ['reached', 'voicemail', 'not_interested', 'bought', 'do_not_contact'];

function HoldForm({ task, onDone }: { task: S['Task']; onDone: (h: S['Hold']) => void }) {
  const items = task.script.items;
  const first = items.find((i) => i.size === task.size) ?? items[0];
  const [sku, setSku] = useState(first?.sku ?? '');
  const [hours, setHours] = useState('48');
  const [key] = useState(() => newKey('hold'));
  const [error, setError] = useState<ApiError | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      const h = await createHold({ sku, customer_id: task.customer_id, task_id: task.id, hours: Number(hours) || 0 }, `${key}-${sku}-${hours}`);
      onDone(h);
    } catch (err) { setError(asError(err)); }
  };
  if (!items.length) return <p>{t('cl.nothing_to_hold')}</p>;
  return (
    <form class="form inline hold" onSubmit={submit} noValidate>
      <Select label={t('cl.hold_item')} name="sku" value={sku} onChange={setSku} error={error}
        options={items.map((i) => [i.sku, `${i.name} · ${i.size} (${t('cl.available_n', { n: i.available })})`] as [string, string])} />
      <Field label={t('cl.hold_hours')} name="hours" value={hours} onInput={setHours} error={error} inputMode="numeric" />
      <button type="submit" class="primary">{t('cl.hold_make')}</button>
      <ErrorNote error={error} />
    </form>
  );
}

export function TaskView({ id }: { id: number }) {
  const l = useSignal(lang);
  const [task, setTask] = useState<S['Task'] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [hold, setHold] = useState<S['Hold'] | null>(null);
  const load = () => getTask(id, l).then(setTask).catch((e) => setError(asError(e)));
  useEffect(() => { load(); }, [id, l]);
  const act = async (fn: () => Promise<S['Task']>, what: string) => {
    try { setTask(await fn()); setError(null); setDone(what); } catch (e) { setError(asError(e)); }
  };
  if (!task) return <Page title={t('cl.task')}><ErrorNote error={error} />{error ? null : <p>{t('common.loading')}</p>}</Page>;
  const s = task.script;
  const open = task.status === 'open';
  return (
    <Page title={task.customer_name} actions={<Link to={`/customers/${task.customer_id}/clienteling`} class="button">{t('cl.profile')}</Link>}>
      <div class="card why">
        <p class="rec-main">{task.why}</p>
        <p>{t(`cl.channel.${task.channel}`)}: {task.channel === 'phone' && task.phone ? <a href={`tel:${task.phone}`}>{task.phone}</a> : task.email ?? task.phone ?? '—'}
          {task.channel === 'phone' && task.email ? <> · {task.email}</> : null}</p>
        <p class="muted">{t('cl.first_choice_until', { at: when(task.lapses_at) })}</p>
      </div>
      <div class="grid2">
        <section class="card" aria-labelledby="h-script-sizes">
          <h2 id="h-script-sizes">{t('cl.sizes')}</h2>
          {s.sizes.length ? <ul class="prefs">{s.sizes.map((z) => <li>{z.category}: <strong>{z.size}</strong> <Badge kind={`size-${z.source}`}>{t(`cl.source.${z.source}`)}</Badge></li>)}</ul> : <p>{t('cl.no_sizes')}</p>}
          {s.likes.length ? <><h3>{t('cl.likes')}</h3><p>{s.likes.map((x) => x.value).join(', ')}</p></> : null}
        </section>
        <section class="card" aria-labelledby="h-bought">
          <h2 id="h-bought">{t('cl.bought_before')}</h2>
          {s.bought_before.length ? <ul class="prefs">{s.bought_before.map((b) => <li>{b.name} · {b.brand}{b.size ? ` · ${b.size}` : ''} <span class="muted">{day(b.purchased_at)} · {money(b.unit_price_cents)}</span></li>)}</ul>
            : <p>{t('cl.bought_nothing')}</p>}
        </section>
      </div>
      <h2>{t('cl.items_that_fit')}</h2>
      {s.items.length ? <table><thead><tr><th>{t('cl.item')}</th><th>{t('purchase.brand')}</th><th>{t('cl.colour')}</th><th>{t('cl.size')}</th><th class="num">{t('purchase.price')}</th><th class="num">{t('cl.available')}</th></tr></thead>
        <tbody>{s.items.map((i) => <tr><td>{i.name} <span class="muted">{i.sku}</span></td><td>{i.brand}</td><td>{i.colour}</td><td>{i.size}</td>
          <td class="num">{money(i.price_cents)}</td><td class="num">{i.available}</td></tr>)}</tbody></table> : <p>{t('cl.nothing_to_hold')}</p>}
      <section class="card" aria-labelledby="h-outcome">
        <h2 id="h-outcome">{t('cl.outcome')}</h2>
        {done ? <Notice kind="ok">{t(`cl.done.${done}`)}</Notice> : null}
        {hold ? <Notice kind="ok">{t('cl.hold_made', { item: `${hold.name} ${hold.size}`, until: when(hold.expires_at) })}</Notice> : null}
        {!open ? <p role="status"><Badge kind={task.status}>{t(`cl.task_status.${task.status}`)}</Badge>{task.outcome ? ` · ${t(`cl.outcome.${task.outcome}`)} · ${when(task.outcome_at)}` : ''}</p> : <>
          <div class="outcomes">{OUTCOMES.map((o) => <button type="button" onClick={() => act(() => recordOutcome(id, o), o)}>{t(`cl.outcome.${o}`)}</button>)}
            {task.email ? <button type="button" onClick={() => act(() => mailTask(id), 'mailed')}>{t('cl.send_mail')}</button> : null}</div>
          <h3>{t('cl.hold_title')}</h3>
          <HoldForm task={task} onDone={(h) => { setHold(h); setDone(null); load(); }} />
        </>}
        <ErrorNote error={error} />
      </section>
      <p><Link to="/outreach">{t('cl.back_to_today')}</Link></p>
    </Page>
  );
}
