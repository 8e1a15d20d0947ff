/**
 * What never reaches a log: credentials (passwords, Cognito tokens, the Authorization header, partners' API keys,
 * the device fingerprint sent to Cognito), payment tokens, and a shopper's contact details (phone number, addresses,
 * free-form profile preferences). The Powertools logger (./observability.ts) serializes every log item through
 * `redactSecrets`, so this holds for whatever a function logs: its own attributes, an error and its cause,
 * and the whole invocation event when an operator turns on POWERTOOLS_LOGGER_LOG_EVENT — an API Gateway
 * event's JSON body is redacted field by field, the saga's state loses its paymentToken, a DynamoDB stream
 * record its shippingAddress.
 *
 * Kept apart from observability.ts so that a function that needs only a logger (the optional-auth
 * authorizer) does not load the tracer.
 */

export const REDACTED = '[redacted]';

/** Keys whose values are secret or personal wherever they appear, compared without case. */
const SECRET_KEYS = new Set(
  [
    'password',
    'previousPassword',
    'proposedPassword',
    'newPassword',
    'idToken',
    'accessToken',
    'refreshToken',
    'token',
    'paymentToken',
    'authorization',
    'cookie',
    'set-cookie',
    'x-cognito-context-data',
    // A partner's usage-plan API key: in the x-api-key header, and in the event's requestContext.identity.
    'x-api-key',
    'apiKey',
    'encodedData',
    'phoneNumber',
    'phone_number',
    'address',
    'shippingAddress',
    'preferences',
  ].map((k) => k.toLowerCase()),
);

/** Secrets inside free text (an error message quoting a body, say): JWTs and JWEs, payment tokens, `"password":"…"`. */
const SECRET_TEXT: [RegExp, string][] = [
  [/eyJ[\w-]+(?:\.[\w-]*){2,4}/g, REDACTED],
  [/\btok_[A-Za-z0-9_]+/g, `tok_${REDACTED}`],
  [
    /("?(?:password|idToken|accessToken|refreshToken|paymentToken|phoneNumber|line1|line2)"?\s*[:=]\s*)("(?:[^"\\]|\\.)*"?|[^\s,}&]+)/gi,
    `$1"${REDACTED}"`,
  ],
];

const scrub = (text: string): string =>
  SECRET_TEXT.reduce((t, [pattern, replacement]) => t.replace(pattern, replacement), text);

/**
 * A JSON.stringify replacer (Powertools' `jsonReplacerFn`): secret keys lose their values, a `body` that holds
 * JSON is parsed so that its own keys are redacted in turn (a body that is not JSON goes whole), and every
 * other string is scrubbed of secrets it quotes.
 */
export function redactSecrets(key: string, value: unknown): unknown {
  if (value === undefined || value === null) return value;
  if (SECRET_KEYS.has(key.toLowerCase())) return REDACTED;
  if (typeof value !== 'string') return value;
  if (key === 'body' && value.length > 0) {
    try {
      const parsed = JSON.parse(value) as unknown;
      // An object's keys go through this replacer in turn; a bare JSON string would not.
      return typeof parsed === 'string' ? scrub(parsed) : parsed;
    } catch {
      return REDACTED;
    }
  }
  return scrub(value);
}
