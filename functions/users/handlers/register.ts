import { httpHandler, json, parse } from '../../shared/http';
import { registerUser } from '../domain/users';
import { clock, identityProvider, profileRepository } from '../deps';
import type { UsersDeps } from '../ports';
import { Register } from '../schemas';

export const makeHandler = (deps: UsersDeps) =>
  httpHandler(
    async (event) => {
      const input = parse(Register, event.body);
      return json(201, await registerUser(input, deps));
    },
    { body: true },
  );

export const handler = makeHandler({ identity: identityProvider(), profiles: profileRepository(), clock });
