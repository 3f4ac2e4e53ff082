// Login.tsx — log in; drawn over the screen when a session expired.
import { useState } from 'preact/hooks';
import { ApiError, type S } from '../../api/client';
import { logIn } from '../../api/session';
import { t } from '../../i18n';
import { asError, ErrorNote, Field, Notice } from '../../ui';

export function Login({ onDone, expired }: { onDone: (r: S['Session']) => void; expired?: boolean }) {
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onDone(await logIn({ login, password }));
    } catch (err) {
      const ae = asError(err);
      setError(ae.status === 401 ? new ApiError(401, 'unauthorized', t('login.wrong'), []) : ae);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="login card" onSubmit={submit} aria-labelledby="login-title">
      <h1 id="login-title">{expired ? t('login.expired_title') : t('login.title')}</h1>
      {expired ? <Notice kind="info">{t('login.expired')}</Notice> : null}
      <Field label={t('login.name')} name="login" value={login} onInput={setLogin} required autoFocus autoComplete="username" error={error} />
      <Field label={t('login.password')} name="password" type="password" value={password} onInput={setPassword} required
        autoComplete="current-password" error={error} />
      <ErrorNote error={error} />
      <button type="submit" class="primary" disabled={busy}>{t('login.submit')}</button>
    </form>
  );
}
