import { requireUser } from '../../shared/auth';
import { httpHandler, json, parse } from '../../shared/http';
import { updateMyProfile } from '../domain/users';
import { clock, profileRepository } from '../deps';
import type { UsersDeps } from '../ports';
import { UpdateProfile } from '../schemas';

export const makeHandler = (deps: Pick<UsersDeps, 'profiles' | 'clock'>) =>
  httpHandler(
    async (event) => {
      const caller = requireUser(event);
      const changes = parse(UpdateProfile, event.body);
      return json(200, await updateMyProfile(caller, changes, deps));
    },
    { body: true },
  );

export const handler = makeHandler({ profiles: profileRepository(), clock });
