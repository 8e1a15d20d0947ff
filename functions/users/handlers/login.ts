import { httpHandler, json, parse } from '../../shared/http';
import { login } from '../domain/users';
import { identityProvider } from '../deps';
import type { UsersDeps } from '../ports';
import { Login } from '../schemas';

export const makeHandler = (deps: Pick<UsersDeps, 'identity'>) =>
  httpHandler(
    async (event) => {
      const input = parse(Login, event.body);
      return json(200, await login(input, deps), { 'cache-control': 'no-store' });
    },
    { body: true },
  );

export const handler = makeHandler({ identity: identityProvider() });
