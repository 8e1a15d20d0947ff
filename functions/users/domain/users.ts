import type { Caller } from '../../shared/auth';
import { DomainError, conflict, invalid } from '../../shared/errors';
import {
  EmailTakenError,
  InvalidCredentialsError,
  PasswordRejectedError,
  TooManyAttemptsError,
  type SignInContext,
  type UsersDeps,
} from '../ports';
import type { Login, Profile, Register, StoredProfile, Tokens, UpdateProfile } from '../schemas';

export async function registerUser(input: Register, deps: UsersDeps): Promise<{ userId: string; email: string }> {
  let userId: string;
  try {
    ({ userId } = await deps.identity.register(input));
  } catch (e) {
    if (e instanceof EmailTakenError) throw conflict('An account with this email already exists');
    if (e instanceof PasswordRejectedError)
      throw invalid('Password does not meet the policy', [{ path: 'password', message: e.message }]);
    throw e;
  }
  const now = deps.clock.now().toISOString();
  await deps.profiles.put({
    userId,
    email: input.email,
    firstName: input.firstName,
    lastName: input.lastName,
    createdAt: now,
    updatedAt: now,
  });
  return { userId, email: input.email };
}

/** One message whatever went wrong, so the response does not tell whether the email has an account. */
const WRONG_CREDENTIALS = 'Incorrect email or password';

export async function login(input: Login, deps: Pick<UsersDeps, 'identity'>, context?: SignInContext): Promise<Tokens> {
  try {
    return await deps.identity.signIn(input.email, input.password, context);
  } catch (e) {
    if (e instanceof InvalidCredentialsError) throw new DomainError('UNAUTHORIZED', WRONG_CREDENTIALS);
    if (e instanceof TooManyAttemptsError) throw new DomainError('RATE_LIMITED', 'Too many attempts; try again later');
    throw e;
  }
}

/** A caller signed in before their profile record existed (e.g. created by an operator) gets one from the token. */
const seedProfile = (caller: Caller, now: string): StoredProfile => ({
  userId: caller.userId,
  email: caller.email,
  firstName: '',
  lastName: '',
  createdAt: now,
  updatedAt: now,
});

const present = (stored: StoredProfile, caller: Caller): Profile => ({
  userId: stored.userId,
  email: stored.email || caller.email,
  firstName: stored.firstName,
  lastName: stored.lastName,
  ...(stored.phoneNumber ? { phoneNumber: stored.phoneNumber } : {}),
  ...(stored.preferences ? { preferences: stored.preferences } : {}),
  groups: caller.groups,
});

export async function getMyProfile(caller: Caller, deps: Pick<UsersDeps, 'profiles' | 'clock'>): Promise<Profile> {
  const stored = (await deps.profiles.get(caller.userId)) ?? seedProfile(caller, deps.clock.now().toISOString());
  return present(stored, caller);
}

export async function updateMyProfile(
  caller: Caller,
  changes: UpdateProfile,
  deps: Pick<UsersDeps, 'profiles' | 'clock'>,
): Promise<Profile> {
  const now = deps.clock.now().toISOString();
  const stored = await deps.profiles.update(caller.userId, { ...changes, updatedAt: now }, seedProfile(caller, now));
  return present(stored, caller);
}
