// Quiz.tsx — a short quiz drawn from the cards the desk shows now (a
// question, three answers; up to five not yet answered right), the caller's
// own knowledge score, and for a manager their store's people's scores for
// coaching: in the order of their names, never as a ranking.
import { useEffect, useState } from 'preact/hooks';
import { answerQuiz, getKnowledge, getQuiz } from '../../api/cards';
import { ApiError, type S } from '../../api/client';
import { listStaff } from '../../api/staff';
import { t } from '../../i18n';
import { me } from '../../shared';
import { useSignal } from '../../state';
import { asError, ErrorNote, Notice, Page } from '../../ui';

const pct = (k: S['KnowledgeScore']) => (k.score_percent == null ? t('qz.no_score') : `${k.score_percent} %`);

function Question({ q, onAnswered }: { q: S['QuizQuestion']; onAnswered: () => void }) {
  const [choice, setChoice] = useState<number | null>(null);
  const [result, setResult] = useState<S['QuizResult'] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (choice === null) return;
    try { setResult(await answerQuiz({ question_id: q.id, choice })); setError(null); onAnswered(); } catch (err) { setError(asError(err)); }
  };
  return (
    <form class="card form quiz-q" onSubmit={submit} noValidate>
      <fieldset disabled={!!result}>
        <legend>{q.question}</legend>
        {q.answers.map((a, i) => <div class="check quiz-a"><input type="radio" id={`q${q.id}-${i}`} name={`q${q.id}`} checked={choice === i}
          onChange={() => setChoice(i)} /><label for={`q${q.id}-${i}`}>{a}</label></div>)}
      </fieldset>
      {result ? <Notice kind={result.correct ? 'ok' : 'warn'}>{result.correct ? t('qz.right') : t('qz.wrong', { answer: q.answers[result.right] ?? '' })}</Notice>
        : <button type="submit" disabled={choice === null}>{t('qz.answer')}</button>}
      <ErrorNote error={error} />
    </form>
  );
}

function Coaching({ user }: { user: S['Staff'] }) {
  const [rows, setRows] = useState<{ s: S['Staff']; k: S['KnowledgeScore'] | null }[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    (async () => {
      const staff = (await listStaff()).items.filter((s) => s.active && s.role === 'associate' &&
        (user.role === 'admin' || s.store_code === user.store_code));
      // By name: coaching, not a league table.
      staff.sort((a, b) => a.name.localeCompare(b.name, 'nl'));
      setRows(await Promise.all(staff.map(async (s) => ({ s, k: await getKnowledge(s.login).catch(() => null) }))));
    })().catch((e) => setError(asError(e)));
  }, [user.login]);
  return (
    <section class="card" aria-labelledby="h-coaching">
      <h2 id="h-coaching">{t('qz.coaching')}</h2>
      <p class="muted">{t('qz.coaching_hint')}</p>
      <ErrorNote error={error} />
      {rows && !rows.length ? <p>{t('qz.no_staff')}</p> : null}
      {rows?.length ? <table class="coaching"><thead><tr><th>{t('qz.person')}</th>{user.role === 'admin' ? <th>{t('case.store')}</th> : null}
        <th class="num">{t('qz.answered')}</th><th class="num">{t('qz.correct')}</th><th class="num">{t('qz.score')}</th></tr></thead>
        <tbody>{rows.map(({ s, k }) => <tr><td>{s.name}</td>{user.role === 'admin' ? <td>{s.store_code ?? '—'}</td> : null}
          <td class="num">{k ? `${k.answered} / ${k.questions}` : '—'}</td><td class="num">{k ? k.correct : '—'}</td>
          <td class="num">{k ? pct(k) : '—'}</td></tr>)}</tbody></table> : null}
    </section>
  );
}

export function Quiz() {
  const user = useSignal(me);
  const [qs, setQs] = useState<S['QuizQuestion'][] | null>(null);
  const [mine, setMine] = useState<S['KnowledgeScore'] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const score = () => { if (user) getKnowledge(user.login).then(setMine).catch(() => setMine(null)); };
  useEffect(() => { getQuiz().then((r) => setQs(r.items)).catch((e) => setError(asError(e))); score(); }, []);
  if (!user) return null;
  return (
    <Page title={t('nav.quiz')}>
      <p>{t('qz.intro')}</p>
      {mine ? <p class="card knowledge" role="status"><strong>{t('qz.my_score')}: {pct(mine)}</strong>
        {' · '}{t('qz.my_counts', { right: mine.correct, answered: mine.answered, questions: mine.questions })}</p> : null}
      <ErrorNote error={error} />
      {qs && !qs.length ? <Notice kind="info">{t('qz.none')}</Notice> : null}
      {qs?.map((q) => <Question q={q} onAnswered={score} />)}
      {user.role !== 'associate' ? <Coaching user={user} /> : null}
    </Page>
  );
}
