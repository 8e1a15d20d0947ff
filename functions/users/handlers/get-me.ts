import { requireUser } from '../../shared/auth';
import { httpHandler, json } from '../../shared/http';
import { getMyProfile } from '../domain/users';
import { clock, profileRepository } from '../deps';
import type { UsersDeps } from '../ports';

export const makeHandler = (deps: Pick<UsersDeps, 'profiles' | 'clock'>) =>
  httpHandler(async (event) => json(200, await getMyProfile(requireUser(event), deps)));

export const handler = makeHandler({ profiles: profileRepository(), clock });
