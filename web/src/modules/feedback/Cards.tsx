// Cards.tsx — value cards: a claim the store can make where the customer
// weighs another shop, for a category or every category, in Dutch and
// English, optionally against a competitor, verified by a named manager and
// checked again within check_days (default 90). The list (associates see
// only what the desk shows now), the editor with verify and retire, a
// preview drawn by the same component the desk uses, and the card's quiz
// questions.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { secretsBoard } from '../../api/advocacy';
import { addCardQuestion, createCard, getCard, listCardQuestions, listCards, patchCard, retireCard, verifyCard } from '../../api/cards';
import { ApiError, type Defaulted, type S } from '../../api/client';
import { listStaff } from '../../api/staff';
import { day, lang, t } from '../../i18n';
import { go, query } from '../../router';
import { Link, me } from '../../shared';
import { useSignal } from '../../state';
import { asError, Badge, ErrorNote, Field, Notice, Page, Select } from '../../ui';

/** A card as the desk shows it (the case screen and the editor's preview use this one). */
export function ValueCardBox({ card, children }: { card: Pick<S['ValueCard'], 'claim' | 'category' | 'competitor'>; children?: ComponentChildren }) {
  const l = useSignal(lang);
  return (
    <aside class="card value-card" aria-labelledby="vc-title">
      <h2 id="vc-title">{t('vc.desk_title')}</h2>
      <p class="vc-claim">{(l === 'en' ? card.claim.en : card.claim.nl) || '…'}</p>
      <p class="muted">{card.category ? t('vc.for_category', { category: card.category }) : t('vc.all_categories')}
        {card.competitor ? ` · ${t('vc.against', { competitor: card.competitor })}` : ''}</p>
      {children}
    </aside>
  );
}

const isLead = (u: S['Staff'] | null) => u?.role === 'admin' || u?.role === 'manager';

export function Cards() {
  const user = useSignal(me);
  const l = useSignal(lang);
  const [items, setItems] = useState<S['ValueCard'][] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => { listCards().then((r) => setItems(r.items)).catch((e) => setError(asError(e))); }, []);
  return (
    <Page title={t('nav.cards')} actions={isLead(user) ? <Link to="/cards/new" class="button primary">{t('vc.new')}</Link> : null}>
      <p>{isLead(user) ? t('vc.intro_lead') : t('vc.intro')}</p>
      <ErrorNote error={error} />
      {items && !items.length ? <p role="status">{t('vc.none')}</p> : null}
      {items?.length ? <table class="cards"><thead><tr><th>{t('vc.claim')}</th><th>{t('vc.category')}</th><th>{t('vc.competitor_col')}</th>
        <th>{t('vc.state')}</th><th>{t('vc.check_by')}</th></tr></thead>
        <tbody>{items.map((c) => <tr>
          <td><Link to={`/cards/${c.id}`}>{l === 'en' ? c.claim.en : c.claim.nl}</Link></td>
          <td>{c.category ?? t('vc.all')}</td><td>{c.competitor ?? '—'}</td>
          <td><Badge kind={`card-${c.state}`}>{t(`vc.state.${c.state}`)}</Badge></td>
          <td>{day(c.check_by)}</td></tr>)}</tbody></table> : null}
    </Page>
  );
}

interface Draft { category: string; claim_nl: string; claim_en: string; competitor: string; verifier: string; check_days: string }
const draftOf = (c: S['ValueCard']): Draft => ({ category: c.category ?? '', claim_nl: c.claim.nl, claim_en: c.claim.en,
  competitor: c.competitor ?? '', verifier: c.verifier, check_days: String(c.check_days) });

export function CardEdit({ id }: { id: number }) {
  const user = useSignal(me);
  const [card, setCard] = useState<S['ValueCard'] | null>(null);
  const [draft, setDraft] = useState<Draft>({ category: '', claim_nl: '', claim_en: '', competitor: '', verifier: '', check_days: '90' });
  const [theme, setTheme] = useState<number | null>(null);
  const [verifiers, setVerifiers] = useState<S['Staff'][]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState('');
  const lead = isLead(user);
  useEffect(() => {
    if (id) getCard(id).then((c) => { setCard(c); setDraft(draftOf(c)); }).catch((e) => setError(asError(e)));
    else {
      const th = Number(query('theme'));
      setDraft((d) => ({ ...d, verifier: user?.role === 'manager' ? user.login : '' }));
      // From the secrets board: the theme's name as a first draft of the claim.
      if (th > 0) secretsBoard().then((r) => {
        const x = r.items.find((i) => i.id === th);
        if (x) { setTheme(th); setDraft((d) => ({ ...d, claim_nl: d.claim_nl || x.label })); }
      }).catch(() => {});
    }
    if (lead) listStaff().then((r) => setVerifiers(r.items.filter((s) => s.active && s.role !== 'associate'))).catch(() => setVerifiers([]));
  }, [id]);
  const set = (k: keyof Draft) => (v: string) => setDraft({ ...draft, [k]: v });
  if (id && !card) return <Page title={t('nav.cards')}>{error ? <ErrorNote error={error} /> : <p>{t('common.loading')}</p>}</Page>;
  const days = Number(draft.check_days);
  const save = async (e: Event) => {
    e.preventDefault();
    const days_ok = /^\d+$/.test(draft.check_days.trim());
    if (!days_ok) { setError(new ApiError(422, 'invalid', t('case.check_fields'), [{ field: 'check_days', problem: t('vc.bad_days') }])); return; }
    const v = { category: draft.category.trim() || null, claim_nl: draft.claim_nl.trim(), claim_en: draft.claim_en.trim(),
      competitor: draft.competitor.trim() || null, verifier: draft.verifier, check_days: days };
    try {
      if (!card) {
        const body: Defaulted<S['ValueCardCreate'], 'check_days'> = { ...v };
        if (theme) body.theme_id = theme;
        const c = await createCard(body as S['ValueCardCreate']);
        setError(null);
        go(`/cards/${c.id}`);
        return;
      }
      // Only what changed: an unchanged claim keeps the card verified.
      const was = draftOf(card);
      const patch: S['ValueCardPatch'] = {};
      if (v.category !== card.category) patch.category = v.category;
      if (v.claim_nl !== was.claim_nl) patch.claim_nl = v.claim_nl;
      if (v.claim_en !== was.claim_en) patch.claim_en = v.claim_en;
      if (v.competitor !== card.competitor) patch.competitor = v.competitor;
      if (v.verifier !== was.verifier) patch.verifier = v.verifier;
      if (v.check_days !== card.check_days) patch.check_days = v.check_days;
      const c = await patchCard(card.id, patch);
      setCard(c); setDraft(draftOf(c)); setError(null); setDone('saved');
    } catch (err) { setError(asError(err)); }
  };
  const act = async (fn: () => Promise<S['ValueCard']>, what: string) => {
    try { const c = await fn(); setCard(c); setDraft(draftOf(c)); setError(null); setDone(what); } catch (err) { setError(asError(err)); }
  };
  const mayVerify = card && card.state !== 'retired' && (user?.role === 'admin' || user?.login === card.verifier);
  const checkBy = card?.check_by ? day(card.check_by) : day(new Date(Date.now() + (days > 0 ? days : 90) * 86400000).toISOString());
  const title = card ? (lang.get() === 'en' ? card.claim.en : card.claim.nl) : t('vc.new');
  if (!lead && card) {
    return <Page title={title}><ValueCardBox card={card} /><p><Link to="/cards">{t('vc.back')}</Link></p></Page>;
  }
  return (
    <Page title={title} actions={card ? <Badge kind={`card-${card.state}`}>{t(`vc.state.${card.state}`)}</Badge> : null}>
      {done ? <Notice kind="ok">{t(`vc.done.${done}`)}</Notice> : null}
      {theme && !card ? <Notice kind="info">{t('vc.from_theme')}</Notice> : null}
      <div class="grid2">
        <form class="card form" onSubmit={save} noValidate aria-labelledby="h-card-form">
          <h2 id="h-card-form">{card ? t('vc.edit') : t('vc.new')}</h2>
          <Field label={t('vc.category')} name="category" value={draft.category} onInput={set('category')} error={error} hint={t('vc.category_hint')} />
          <Field label={t('vc.claim_nl')} name="claim_nl" value={draft.claim_nl} onInput={set('claim_nl')} error={error} required textarea />
          <Field label={t('vc.claim_en')} name="claim_en" value={draft.claim_en} onInput={set('claim_en')} error={error} required textarea />
          <Field label={t('vc.competitor')} name="competitor" value={draft.competitor} onInput={set('competitor')} error={error} hint={t('vc.competitor_hint')} />
          <Select label={t('vc.verifier')} name="verifier" value={draft.verifier} onChange={set('verifier')} error={error}
            options={[['', t('fb.choose')] as [string, string], ...verifiers.map((s) => [s.login, `${s.name} (${t(`role.${s.role}`)}${s.store_code ? `, ${s.store_code}` : ''})`] as [string, string])]} />
          <Field label={t('vc.check_days')} name="check_days" value={draft.check_days} onInput={set('check_days')} error={error} inputMode="numeric"
            hint={card?.check_by ? t('vc.check_by_is', { at: checkBy }) : t('vc.check_by_after', { at: checkBy })} />
          {card?.verified_at ? <p class="hint">{t('vc.verified_at', { who: verifiers.find((v) => v.login === card.verifier)?.name ?? card.verifier, at: day(card.verified_at) })}</p> : null}
          {card?.state === 'verified' ? <p class="hint">{t('vc.change_unverifies')}</p> : null}
          <ErrorNote error={error} />
          <div class="row">
            <button type="submit" class="primary">{card ? t('vc.save') : t('vc.create')}</button>
            {mayVerify ? <button type="button" onClick={() => act(() => verifyCard(card.id), 'verified')}>{t('vc.verify')}</button> : null}
            {card && card.state !== 'retired' ? <button type="button" onClick={() => act(() => retireCard(card.id), 'retired')}>{t('vc.retire')}</button> : null}
          </div>
          {card && !mayVerify && card.state !== 'verified' && card.state !== 'retired' ? <p class="hint">{t('vc.verify_by', { who: card.verifier })}</p> : null}
        </form>
        <div>
          <h2>{t('vc.preview')}</h2>
          <p class="muted">{card?.state === 'verified' ? t('vc.preview_shown') : t('vc.preview_not_shown')}</p>
          <ValueCardBox card={{ claim: { nl: draft.claim_nl, en: draft.claim_en }, category: draft.category.trim() || null, competitor: draft.competitor.trim() || null }}>
            <CardOutcomeButtons disabled />
          </ValueCardBox>
        </div>
      </div>
      {card ? <Questions card={card} /> : null}
      <p><Link to="/cards">{t('vc.back')}</Link></p>
    </Page>
  );
}

/** What the customer did after seeing a card; the desk's buttons (inert in the preview). */
export function CardOutcomeButtons({ chosen, onChoose, disabled }: { chosen?: string; onChoose?: (o: 'stayed' | 'went_elsewhere') => void; disabled?: boolean }) {
  return (
    <div class="row vc-outcome" role="group" aria-label={t('vc.outcome_label')}>
      {(['stayed', 'went_elsewhere'] as const).map((o) => <button type="button" disabled={disabled} aria-pressed={chosen === o}
        onClick={() => onChoose?.(o)}>{t(`vc.outcome.${o}`)}</button>)}
    </div>
  );
}

function Questions({ card }: { card: S['ValueCard'] }) {
  const [items, setItems] = useState<S['QuizQuestion'][]>([]);
  const [q, setQ] = useState('');
  const [answers, setAnswers] = useState(['', '', '']);
  const [right, setRight] = useState(0);
  const [error, setError] = useState<ApiError | null>(null);
  const [added, setAdded] = useState(false);
  const load = () => listCardQuestions(card.id).then((r) => setItems(r.items)).catch((e) => setError(asError(e)));
  useEffect(() => { load(); }, [card.id]);
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      await addCardQuestion(card.id, { question: q.trim(), answers: answers.map((a) => a.trim()), right });
      setQ(''); setAnswers(['', '', '']); setRight(0); setError(null); setAdded(true); load();
    } catch (err) { setError(asError(err)); setAdded(false); }
  };
  return (
    <section class="card" aria-labelledby="h-questions">
      <h2 id="h-questions">{t('vc.questions')}</h2>
      <p class="muted">{t('vc.questions_hint')}</p>
      {items.length ? <ol class="questions">{items.map((x) => <li>{x.question}<ul>{x.answers.map((a, i) =>
        <li>{a}{i === x.right ? <> <Badge kind="right">{t('vc.right')}</Badge></> : null}</li>)}</ul></li>)}</ol> : <p>{t('vc.no_questions')}</p>}
      {added ? <Notice kind="ok">{t('vc.question_added')}</Notice> : null}
      <form class="form" onSubmit={submit} noValidate>
        <Field label={t('vc.question')} name="question" value={q} onInput={setQ} error={error} />
        {answers.map((a, i) => <div class="answer-row">
          <Field label={t('vc.answer_n', { n: i + 1 })} name={`answer${i}`} errorName={`answers[${i}]`} value={a} error={error}
            onInput={(v) => setAnswers(answers.map((x, j) => (j === i ? v : x)))} />
          <div class="check"><input type="radio" id={`right${i}`} name="right" checked={right === i} onChange={() => setRight(i)} />
            <label for={`right${i}`}>{t('vc.is_right')}</label></div></div>)}
        {error?.field('answers') || error?.field('right') ? <p class="problem" role="alert">{error.field('answers') ?? error.field('right')}</p> : null}
        <ErrorNote error={error} />
        <button type="submit">{t('vc.add_question')}</button>
      </form>
    </section>
  );
}
