// The login at its own address, /login: public, as every screen is that
// needs no session. Any other screen opened without a session draws the
// same login in its place (the frame does that) and then shows itself.
import { useEffect } from 'preact/hooks';
import { ALL, type Module } from '../../registry';
import { go } from '../../router';
import { loggedIn } from '../../session';
import { me } from '../../shared';
import { useSignal } from '../../state';
import { Login } from './Login';

function LoginPage() {
  const user = useSignal(me);
  useEffect(() => { if (user) go('/'); }, [user]);
  return user ? null : <Login onDone={loggedIn} />;
}

export const session: Module = {
  name: 'session',
  routes: [{ path: '/login', view: () => <LoginPage />, roles: ALL, public: true }],
};
