import { IteratorExpired, RecordsTrimmed, type Credentials } from '../../stream-sources';

export class AwsJsonError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status: number,
  ) {
    super(`${type}: ${message}`);
  }
}

/** A minimal JSON-protocol client for DynamoDB (Local) and its Streams API. */
export const dynamoDbJsonClient = (endpoint: string, region: string, credentials: Credentials) =>
  awsJsonClient(endpoint, region, credentials, 'dynamodb', '1.0');

/**
 * A minimal JSON-protocol client for an emulator: POST, `X-Amz-Target`, the protocol's content type, and an
 * unsigned SigV4-shaped `Authorization` (the emulators check that one is there, never what it signs).
 */
export function awsJsonClient(
  endpoint: string,
  region: string,
  credentials: Credentials,
  service: 'dynamodb' | 'kinesis',
  jsonVersion: '1.0' | '1.1',
) {
  // Dated once: the emulators want the header, not a current value.
  const amzDate = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
  const date = amzDate.slice(0, 8);
  return async function call<T>(target: string, body: unknown): Promise<T> {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': `application/x-amz-json-${jsonVersion}`,
        'x-amz-target': target,
        'x-amz-date': amzDate,
        authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${date}/${region}/${service}/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=unsigned`,
      },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    const json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    if (!response.ok) {
      const type = String(json.__type ?? 'UnknownError')
        .split('#')
        .pop()!;
      const error = new AwsJsonError(type, String(json.Message ?? json.message ?? text), response.status);
      // The two stream errors a poller acts on, in the sources' own terms (as the SDK sources map theirs).
      if (type === 'ExpiredIteratorException') throw new IteratorExpired(error.message);
      if (type === 'TrimmedDataAccessException') throw new RecordsTrimmed(error.message);
      throw error;
    }
    return json as T;
  };
}
