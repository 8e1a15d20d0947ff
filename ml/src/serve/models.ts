/**
 * The models one container serves, told apart by their artifact's `format`: recommendations
 * (ecicomm-recs/1, ml/src/model.ts) and demand insights (ecicomm-insights/1, ml/src/insights). Each format
 * brings its invocation schema and its answer; the HTTP layers (./invoke.ts, ./runtime.ts) are the same.
 */
import * as z from 'zod';
import { recommend, type ModelArtifact } from '../model';
import { answerInsights, CursorError } from '../insights/answer';
import { INSIGHTS_FORMAT, InsightsInvocation, type InsightsArtifact } from '../insights/contract';

/** A model artifact the server can serve. */
export type ServedModel = ModelArtifact | InsightsArtifact;

/** An answer of the container: status and JSON body. */
export interface Answer {
  status: number;
  body: unknown;
}

const ProductId = z.string().min(1, 'Must not be empty').max(128, 'Must be at most 128 characters');

/** The recommendation invocation body (ml/src/model.ts RecommendationRequest). Unknown fields are refused: a typo is not silently ignored. */
export const InvocationRequest = z.strictObject({
  userId: z.optional(z.string().min(1).max(128)),
  history: z
    .array(
      z.strictObject({
        productId: ProductId,
        quantity: z.optional(
          z.int('Must be a whole number').min(1, 'Must be at least 1').max(1_000_000, 'Must be at most 1000000'),
        ),
        at: z.optional(
          z
            .string()
            .max(40)
            .refine((s) => !Number.isNaN(Date.parse(s)), 'Must be an ISO 8601 date-time'),
        ),
      }),
    )
    .max(10_000, 'At most 10000 history lines'),
  productId: z.optional(ProductId),
  k: z.int('Must be a whole number').min(1, 'Must be at least 1').max(500, 'Must be at most 500'),
  exclude: z.optional(z.array(ProductId).max(10_000, 'At most 10000 excluded products')),
});

const badRequest = (message: string, details?: unknown): Answer => ({
  status: 400,
  body: details === undefined ? { message } : { message, details },
});

/** A failed parse's issues, from either zod API (the insights contract is zod/mini). */
function invalid(error: { issues: z.core.$ZodIssue[] }): Answer {
  const details = error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  const first = details[0];
  return badRequest(`Invalid request: ${first.path ? `${first.path}: ` : ''}${first.message}`, details);
}

const isInsights = (model: ServedModel): model is InsightsArtifact => model.format === INSIGHTS_FORMAT;

/** The model's answer to a parsed JSON body: 200 with the answer, or 400 saying what is wrong with the input. */
export function answerInvocation(model: ServedModel, json: unknown): Answer {
  if (isInsights(model)) {
    const parsed = InsightsInvocation.safeParse(json);
    if (!parsed.success) return invalid(parsed.error);
    try {
      return { status: 200, body: answerInsights(model, parsed.data) };
    } catch (e) {
      if (e instanceof CursorError) return badRequest(`Invalid request: ${e.message}`);
      throw e;
    }
  }
  const parsed = InvocationRequest.safeParse(json);
  if (!parsed.success) return invalid(parsed.error);
  return { status: 200, body: recommend(model, parsed.data) };
}
