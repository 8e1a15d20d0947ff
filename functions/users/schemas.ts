import * as z from 'zod/mini';
import { RecordKey, ScalarValue, text } from '../shared/schemas';

export const Email = z.pipe(
  z.string().check(z.trim(), z.maxLength(254, 'Must be at most 254 characters'), z.toLowerCase()),
  z.email('Must be a valid email address'),
);

/** API.md's password policy; the Cognito pool enforces the same rules (lib/contexts/users.ts). */
export const PASSWORD_POLICY = { minLength: 8, maxLength: 30 } as const;
export const Password = z
  .string()
  .check(
    z.minLength(PASSWORD_POLICY.minLength, `Must be at least ${PASSWORD_POLICY.minLength} characters`),
    z.maxLength(PASSWORD_POLICY.maxLength, `Must be at most ${PASSWORD_POLICY.maxLength} characters`),
    z.regex(/[A-Z]/, 'Must contain an upper-case letter'),
    z.regex(/[a-z]/, 'Must contain a lower-case letter'),
    z.regex(/[0-9]/, 'Must contain a digit'),
    z.regex(/[^A-Za-z0-9\s]/, 'Must contain a special character'),
    z.regex(/^\S+$/, 'Must not contain whitespace'),
  );

const PersonName = text(100);
export const PhoneNumber = z.string().check(z.regex(/^\+[1-9]\d{6,14}$/, 'Must be in E.164 form, e.g. +447700900123'));

export const Register = z.strictObject({
  email: Email,
  password: Password,
  firstName: PersonName,
  lastName: PersonName,
});
export type Register = z.infer<typeof Register>;

export const Login = z.strictObject({
  email: Email,
  password: z.string().check(z.minLength(1, 'Must not be empty'), z.maxLength(256)),
});
export type Login = z.infer<typeof Login>;

/** `preferences.notifications`: which messages the shopper wants; e-mail is on unless `email` is false. */
export const NotificationPreferences = z.strictObject({ email: z.optional(z.boolean()) });
export type NotificationPreferences = z.infer<typeof NotificationPreferences>;

/** The one preference that is an object; v1's flat keys (scalars) stay as they were, `notifications` included. */
const OBJECT_PREFERENCE = 'notifications';
const MAX_PREFERENCES = 30;

/**
 * A shopper's preferences: v1's flat record of scalars, extended by one structured key, `notifications`
 * (NotificationPreferences). Any other key holding an object is refused, naming the key.
 */
export const Preferences = z.record(RecordKey, z.union([ScalarValue, NotificationPreferences])).check(
  z.refine((r) => Object.keys(r).length <= MAX_PREFERENCES, `At most ${MAX_PREFERENCES} keys`),
  z.superRefine((preferences, ctx) => {
    for (const [key, value] of Object.entries(preferences))
      if (key !== OBJECT_PREFERENCE && typeof value === 'object')
        ctx.addIssue({
          code: 'custom',
          message: `Must be a string, number or boolean (only ${OBJECT_PREFERENCE} is an object)`,
          path: [key],
          input: value,
        });
  }),
);
export type Preferences = z.infer<typeof Preferences>;

export const UpdateProfile = z
  .strictObject({
    firstName: z.optional(PersonName),
    lastName: z.optional(PersonName),
    phoneNumber: z.optional(PhoneNumber),
    preferences: z.optional(Preferences),
  })
  .check(z.refine((p) => Object.keys(p).length > 0, 'Name at least one field to change'));
export type UpdateProfile = z.infer<typeof UpdateProfile>;

/**
 * The request header that carries the device fingerprint a client collected with Cognito's context-data
 * library (amazon-cognito-advanced-security-data.min.js: `AmazonCognitoAdvancedSecurityData.getData(email,
 * userPoolId, clientId)`); login passes it to Cognito threat protection as ContextData.EncodedData.
 */
export const CONTEXT_DATA_HEADER = 'X-Cognito-Context-Data';
/**
 * What the library produces: base64 of a JSON object whose `payload` is the signed context (with `signature`
 * and `version`). Anything else is refused with 400 rather than passed to Cognito, which could fail the sign-in
 * on it. API Gateway takes at most 10 KiB of headers in all.
 */
const isEncodedContextData = (value: string) => {
  try {
    const decoded = JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as unknown;
    return (
      typeof decoded === 'object' && decoded !== null && typeof (decoded as { payload?: unknown }).payload === 'string'
    );
  } catch {
    return false;
  }
};
const CONTEXT_DATA_MESSAGE = "Must be the encoded data of Cognito's context-data library (base64 of its JSON)";
export const ContextDataHeader = z.optional(
  z
    .string()
    .check(
      z.maxLength(10_240, 'Must be at most 10240 characters'),
      z.regex(/^[A-Za-z0-9+/]+={0,2}$/, CONTEXT_DATA_MESSAGE),
      z.refine(isEncodedContextData, CONTEXT_DATA_MESSAGE),
    ),
);

export const Registered = z.object({ userId: z.string(), email: z.string() });
export const Tokens = z.object({
  idToken: z.string(),
  accessToken: z.string(),
  refreshToken: z.string(),
  expiresIn: z.int(),
});
export type Tokens = z.infer<typeof Tokens>;

export const Profile = z.object({
  userId: z.string(),
  email: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  phoneNumber: z.optional(z.string()),
  preferences: z.optional(
    z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.object({ email: z.optional(z.boolean()) })])),
  ),
  groups: z.array(z.string()),
});
export type Profile = z.infer<typeof Profile>;
export type StoredProfile = Omit<Profile, 'groups'> & { createdAt: string; updatedAt: string };
