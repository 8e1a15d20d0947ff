/** The container's own answer to `POST /invocations`: the HTTP checks, then the model's answer (./models.ts). */
import type { IncomingMessage } from 'node:http';
import { isJsonType, readBody } from './http';
import { answerInvocation, type Answer, type ServedModel } from './models';

/** What a request is answered with: the server's settings and the model it serves now. */
export interface Serving {
  variant: string;
  limit: number;
  // Read afresh at each request (a reload swaps it).
  model: () => ServedModel | undefined;
}

export async function invoke(req: IncomingMessage, { model: current, limit }: Serving): Promise<Answer> {
  const model = current();
  if (!model) return { status: 503, body: { message: 'The model is not loaded yet' } };
  if (!isJsonType(req.headers['content-type'])) {
    return {
      status: 415,
      body: { message: `Content-Type must be application/json, got ${req.headers['content-type']}` },
    };
  }
  const raw = await readBody(req, limit);
  if (raw === 'too-large') return { status: 413, body: { message: `Payload exceeds ${limit} bytes` } };
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    return { status: 400, body: { message: 'Request body is not valid JSON' } };
  }
  return answerInvocation(model, json);
}
