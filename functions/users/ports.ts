import type { Clock } from '../shared/clock';
import type { StoredProfile, Tokens } from './schemas';

export class EmailTakenError extends Error {}
export class InvalidCredentialsError extends Error {}
export class TooManyAttemptsError extends Error {}
/** The identity provider refused the password (its policy can be stricter than ours, e.g. breached passwords). */
export class PasswordRejectedError extends Error {}

/**
 * Who is signing in, for the identity provider's risk checks (Cognito threat protection): the caller's IP as
 * the API saw it, the endpoint, the request's headers, and the device fingerprint the client collected, if any.
 */
export interface SignInContext {
  ipAddress: string;
  serverName: string;
  serverPath: string;
  httpHeaders: { name: string; value: string }[];
  /** Cognito's context-data collection library's output (AmazonCognitoAdvancedSecurityData.getData). */
  encodedData?: string;
}

export interface IdentityProvider {
  /** Creates a confirmed user and returns its stable id (the token's `sub`). */
  register(input: {
    email: string;
    password: string;
    firstName: string;
    lastName: string;
  }): Promise<{ userId: string }>;
  signIn(email: string, password: string, context?: SignInContext): Promise<Tokens>;
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
