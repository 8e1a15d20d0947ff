import type { Clock } from '../shared/clients';
import type { StoredProfile, Tokens } from './schemas';

export class EmailTakenError extends Error {}
export class InvalidCredentialsError extends Error {}
export class TooManyAttemptsError extends Error {}
/** The identity provider refused the password (its policy can be stricter than ours, e.g. breached passwords). */
export class PasswordRejectedError extends Error {}

export interface IdentityProvider {
  /** Creates a confirmed user and returns its stable id (the token's `sub`). */
  register(input: { email: string; password: string; firstName: string; lastName: string }): Promise<{ userId: string }>;
  signIn(email: string, password: string): Promise<Tokens>;
}

export interface ProfileRepository {
  get(userId: string): Promise<StoredProfile | undefined>;
  put(profile: StoredProfile): Promise<void>;
  /** Applies the changes to an existing profile and returns it; creates it from `seed` when absent. */
  update(userId: string, changes: Partial<StoredProfile>, seed: StoredProfile): Promise<StoredProfile>;
}

export interface UsersDeps {
  identity: IdentityProvider;
  profiles: ProfileRepository;
  clock: Clock;
}
