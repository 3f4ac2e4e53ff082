// StaffSurvey.tsx — the anonymous staff survey. The page a store's shared
// link opens (public, made for a phone): three questions, sent with this
// browser's own random text so that a second answer from it is refused by
// the server (409 on `nonce`) and told kindly. Head office's screen: open a
// round and hand each store its link (shown only once), and the results per
// store as far as the anonymity rules allow, saying why when they do not.
import { useEffect, useState } from 'preact/hooks';
import { answerStaffSurvey, createStaffSurvey, getStaffSurveyPage, listStaffSurveys, staffSurveyResults } from '../../api/advocacy';
import { ApiError, type S } from '../../api/client';
import { listStores } from '../../api/stores';
import { day, lang, t } from '../../i18n';
import { me } from '../../shared';
import { useSignal } from '../../state';
import { asError, ErrorNote, Field, Notice, Page, Select } from '../../ui';

/* ---- the page of a shared link ------------------------------------------------ */

interface Kept { nonce: string; answered: boolean }

/** This browser's random text for a round (one per round, whichever store's
 * link), kept in localStorage: a cookie would go along with every later
 * request; this goes once, with the answer. */
function kept(round: string): Kept {
  const key = `td.staff-survey.${round}`;
  try {
    const k = JSON.parse(localStorage.getItem(key) ?? 'null') as Kept | null;
    if (k && typeof k.nonce === 'string' && k.nonce.length >= 16) return k;
  } catch { /* a damaged entry: a new text */ }
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const k = { nonce: Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(''), answered: false };
  localStorage.setItem(key, JSON.stringify(k));
  return k;
}
const markAnswered = (round: string, k: Kept) => localStorage.setItem(`td.staff-survey.${round}`, JSON.stringify({ ...k, answered: true }));

type Done = 'thanks' | 'already' | null;

export function StaffSurveyPage({ token }: { token: string }) {
  const l = useSignal(lang);
  const [page, setPage] = useState<S['StaffSurveyPage'] | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [score, setScore] = useState<number | null>(null);
  const [why, setWhy] = useState('');
  const [secret, setSecret] = useState('');
  const [category, setCategory] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState<Done>(null);
  const [sending, setSending] = useState(false);
  const round = page ? `${page.survey}|${page.closes_at}` : '';
  useEffect(() => {
    getStaffSurveyPage(token).then((p) => {
      setPage(p);
      if (kept(`${p.survey}|${p.closes_at}`).answered) setDone('already');
    }).catch((e) => setLoadError(asError(e)));
  }, [token]);
  const q = (name: string) => (page?.questions[name] ? page.questions[name][l === 'en' ? 'en' : 'nl'] : '');
  if (loadError) {
    const key = loadError.status === 404 ? 'ss.link_unknown' : loadError.status === 409 ? 'ss.closed' : '';
    return <section class="page staff-survey" aria-labelledby="page-title"><h1 id="page-title">{t('ss.page_title')}</h1>
      {key ? <Notice kind="info">{t(key)}</Notice> : <ErrorNote error={loadError} />}</section>;
  }
  if (!page) return <section class="page staff-survey"><p>{t('common.loading')}</p></section>;
  if (done) {
    return (
      <section class="page staff-survey" aria-labelledby="page-title">
        <h1 id="page-title" tabIndex={-1}>{t('ss.thanks_title')}</h1>
        <Notice kind={done === 'thanks' ? 'ok' : 'info'}>{t(done === 'thanks' ? 'ss.thanks' : 'ss.already')}</Notice>
        <p class="muted">{t('ss.anonymous')}</p>
      </section>
    );
  }
  const submit = async (e: Event) => {
    e.preventDefault();
    if (score === null) {
      setError(new ApiError(422, 'invalid', t('ss.check'), [{ field: 'score', problem: t('ss.choose_score') }]));
      return;
    }
    const k = kept(round);
    setSending(true);
    try {
      await answerStaffSurvey(token, { score, why: why.trim() || null, secret: secret.trim() || null, category: category || null, nonce: k.nonce });
      markAnswered(round, k);
      setDone('thanks');
    } catch (err) {
      const ae = asError(err);
      // The server knows this browser's text already: answered in another tab, or before.
      if (ae.status === 409 && ae.field('nonce')) { markAnswered(round, k); setDone('already'); } else setError(ae);
    } finally { setSending(false); }
  };
  const scoreProblem = error?.field('score');
  return (
    <section class="page staff-survey" aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>{t('ss.page_title')}</h1>
      <p class="muted">{page.survey} · {page.store} · {t('ss.closes', { at: day(page.closes_at) })}</p>
      <p>{t('ss.anonymous')}</p>
      <form class="form" onSubmit={submit} noValidate>
        <fieldset class={`scale-set${scoreProblem ? ' invalid' : ''}`} aria-describedby={scoreProblem ? 'score-err' : 'score-hint'}>
          <legend>{q('score')}</legend>
          <div class="scale">
            {Array.from({ length: 11 }, (_, n) => <>
              <input type="radio" id={`ss${n}`} name="score" value={n} checked={score === n} onChange={() => setScore(n)} />
              <label for={`ss${n}`}>{n}</label></>)}
          </div>
          <div class="hint scale-ends" id="score-hint"><span>0 · {t('ss.not_at_all')}</span><span>10 · {t('ss.certainly')}</span></div>
          {scoreProblem ? <div class="problem" id="score-err" role="alert">{scoreProblem}</div> : null}
        </fieldset>
        <Field label={q('why')} name="why" value={why} onInput={setWhy} textarea error={error} hint={t('ss.optional_max', { n: page.text_max })} />
        <Field label={q('secret')} name="secret" value={secret} onInput={setSecret} textarea error={error} hint={t('ss.secret_hint')} />
        {page.categories.length ? <Select label={q('category')} name="category" value={category} onChange={setCategory} error={error}
          options={[['', t('ss.no_department')] as [string, string], ...page.categories.map((c) => [c, c] as [string, string])]} /> : null}
        {error && !error.details.length ? <ErrorNote error={error} /> : null}
        <button type="submit" class="primary big" disabled={sending}>{t('ss.send')}</button>
      </form>
    </section>
  );
}

/* ---- head office: rounds, links, results --------------------------------------- */

const inDays = (n: number) => new Date(Date.now() + n * 86400000).toISOString().slice(0, 10);

function NewRound({ stores, open, onCreated }: { stores: S['StoreListItem'][]; open: boolean; onCreated: (r: S['StaffSurveyCreated']) => void }) {
  const [name, setName] = useState('');
  const [closes, setCloses] = useState(inDays(21));
  const [picked, setPicked] = useState<string[]>([]);
  const [cats, setCats] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const toggle = (code: string, on: boolean) => setPicked(on ? [...picked, code] : picked.filter((c) => c !== code));
  const submit = async (e: Event) => {
    e.preventDefault();
    const categories = cats.split(',').map((c) => c.trim()).filter(Boolean);
    // The end of the chosen day in Amsterdam, near enough: 18:00 UTC.
    const closes_at = /^\d{4}-\d{2}-\d{2}$/.test(closes) ? `${closes}T18:00:00Z` : closes;
    try {
      onCreated(await createStaffSurvey({ name: name.trim(), closes_at, store_codes: picked, categories }));
      setError(null); setName(''); setPicked([]); setCats('');
    } catch (err) { setError(asError(err)); }
  };
  return (
    <details class="card" open={open}><summary><h2 id="h-new-round" class="inline">{t('ss.new_round')}</h2></summary>
    <form class="form" onSubmit={submit} noValidate aria-labelledby="h-new-round">
      <p class="muted">{t('ss.new_round_hint')}</p>
      <Field label={t('ss.round_name')} name="name" value={name} onInput={setName} error={error} required />
      <Field label={t('ss.closes_on')} name="closes_at" type="date" value={closes} onInput={setCloses} error={error} />
      <fieldset><legend>{t('ss.stores')}</legend>
        <p class="hint">{t('ss.stores_hint')}</p>
        {stores.map((s) => <div class="check"><input type="checkbox" id={`st-${s.code}`} checked={picked.includes(s.code)}
          onChange={(e) => toggle(s.code, (e.target as HTMLInputElement).checked)} /><label for={`st-${s.code}`}>{s.code} · {s.name}</label></div>)}
      </fieldset>
      <Field label={t('ss.departments')} name="categories" value={cats} onInput={setCats} error={error} hint={t('ss.departments_hint')} />
      <ErrorNote error={error} />
      <button type="submit" class="primary">{t('ss.open_round')}</button>
    </form></details>
  );
}

function Links({ round }: { round: S['StaffSurveyCreated'] }) {
  const [copied, setCopied] = useState('');
  const url = (token: string) => `${location.origin}/staff-survey/${encodeURIComponent(token)}`;
  return (
    <section class="card links" aria-labelledby="h-links">
      <h2 id="h-links">{t('ss.links_title', { name: round.name })}</h2>
      <Notice kind="warn">{t('ss.links_once')}</Notice>
      <table><thead><tr><th>{t('case.store')}</th><th>{t('ss.link')}</th><th><span class="sr-only">{t('ss.copy')}</span></th></tr></thead>
        <tbody>{round.links.map((k) => <tr data-store={k.store_code}><td>{k.store_code}</td>
          <td><a class="share-link" href={url(k.token)}>{url(k.token)}</a></td>
          <td><button type="button" onClick={() => navigator.clipboard?.writeText(url(k.token)).then(() => setCopied(k.store_code), () => {})}>
            {copied === k.store_code ? t('ss.copied') : t('ss.copy')}</button></td></tr>)}</tbody></table>
    </section>
  );
}

const nps = (x: number | null) => (x == null ? '—' : `${x > 0 ? '+' : ''}${Math.round(x)}`);
const num = (x: number | null) => (x == null ? '—' : x.toLocaleString(lang.get() === 'en' ? 'en-GB' : 'nl-NL', { maximumFractionDigits: 1 }));

/** One slice's figures, or why they are withheld. */
function Slice({ title, r }: { title: string; r: S['StaffSurveyResults'] }) {
  return (
    <section class="card slice" aria-label={title} data-slice={r.store_code ?? 'all'}>
      <h3>{title}</h3>
      {r.shown ? <>
        <dl>
          <dt>{t('ss.answers')}</dt><dd>{r.answers}</dd>
          <dt>NPS</dt><dd><strong>{nps(r.nps)}</strong></dd>
          {r.nps_interval ? <><dt>{t('ss.interval')}</dt><dd>{t('ss.interval_range', { lo: nps(r.nps_interval[0]), hi: nps(r.nps_interval[1]) })}</dd></> : null}
          <dt>{t('ss.mean')}</dt><dd>{num(r.mean)}</dd>
          <dt>{t('ss.split')}</dt><dd>{t('ss.split_counts', { p: r.promoters ?? 0, n: r.passives ?? 0, d: r.detractors ?? 0 })}</dd>
        </dl>
        {r.comments ? <details><summary>{t('ss.comments', { n: r.comments.length })}</summary>
          <ul class="comments">{r.comments.map((c) => <li>{c.why ? <p>{t('ss.why_short')}: {c.why}</p> : null}
            {c.secret ? <p>{t('ss.secret_short')}: {c.secret}</p> : null}</li>)}</ul></details>
          : <p class="muted withheld">{t('ss.withheld_comments', { n: r.min_comments })}</p>}
      </> : <p class="withheld">{t('ss.withheld', { n: r.min_answers })}</p>}
    </section>
  );
}

function Results({ round, stores }: { round: S['StaffSurvey']; stores: S['StoreListItem'][] }) {
  const user = useSignal(me);
  const [slices, setSlices] = useState<{ title: string; r: S['StaffSurveyResults'] }[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    setSlices(null);
    (async () => {
      const out: { title: string; r: S['StaffSurveyResults'] }[] = [];
      if (user?.role !== 'admin') {
        // A manager always gets their own store.
        const r = await staffSurveyResults(round.id, {});
        out.push({ title: r.store_code ?? '', r });
      } else {
        out.push({ title: t('ss.whole_round'), r: await staffSurveyResults(round.id, {}) });
        // Every store, eight requests at a time; a store without a link in this round is 422.
        for (let i = 0; i < stores.length; i += 8) {
          const part = await Promise.all(stores.slice(i, i + 8).map((s) => staffSurveyResults(round.id, { store_code: s.code })
            .then((r) => ({ title: `${s.code} · ${s.name}`, r }))
            .catch((e) => { if (asError(e).status === 422) return null; throw e; })));
          for (const p of part) if (p) out.push(p);
        }
        for (const c of round.categories) out.push({ title: t('ss.department', { name: c }), r: await staffSurveyResults(round.id, { category: c }) });
      }
      setSlices(out);
    })().catch((e) => setError(asError(e)));
  }, [round.id, stores.length]);
  return (
    <section aria-labelledby="h-results">
      <h2 id="h-results">{t('ss.results_title', { name: round.name })}</h2>
      <p class="muted">{t('ss.rules')}</p>
      <ErrorNote error={error} />
      {slices ? <div class="slices">{slices.map((s) => <Slice title={s.title} r={s.r} />)}</div> : error ? null : <p>{t('common.loading')}</p>}
    </section>
  );
}

export function StaffSurveys() {
  const user = useSignal(me);
  const [rounds, setRounds] = useState<S['StaffSurvey'][] | null>(null);
  const [stores, setStores] = useState<S['StoreListItem'][]>([]);
  const [created, setCreated] = useState<S['StaffSurveyCreated'] | null>(null);
  const [pick, setPick] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const admin = user?.role === 'admin';
  const load = () => listStaffSurveys().then((r) => {
    setRounds(r.items);
    setPick((p) => p || (r.items[0] ? String(r.items[0].id) : ''));
  }).catch((e) => setError(asError(e)));
  useEffect(() => {
    load();
    if (admin) listStores().then((r) => setStores(r.items)).catch(() => setStores([]));
  }, []);
  const round = rounds?.find((r) => String(r.id) === pick) ?? null;
  return (
    <Page title={t('nav.staff_surveys')}>
      <p>{t('ss.intro')}</p>
      <ErrorNote error={error} />
      {created ? <Links round={created} /> : null}
      {admin && rounds ? <NewRound stores={stores} open={!rounds.length} onCreated={(r) => { setCreated(r); setPick(String(r.id)); load(); }} /> : null}
      {rounds && !rounds.length ? <p role="status">{t('ss.no_rounds')}</p> : null}
      {rounds?.length ? <>
        <div class="filters"><Select label={t('ss.round')} name="round" value={pick} onChange={setPick}
          options={rounds.map((r) => [String(r.id), `${r.name} · ${t('ss.until', { at: day(r.closes_at) })}${r.answers != null ? ` · ${t('ss.n_answers', { n: r.answers })}` : ''}`] as [string, string])} /></div>
        {round ? <Results round={round} stores={stores} /> : null}
      </> : null}
    </Page>
  );
}
