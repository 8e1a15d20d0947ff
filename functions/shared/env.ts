import type * as z from 'zod/mini';

/**
 * Parses the function's environment once, at module load: a missing variable fails the cold start,
 * never a request.
 */
export function parseEnv<T extends z.ZodMiniType>(schema: T): z.infer<T> {
  const result = schema.safeParse(process.env);
  if (!result.success) {
    const names = result.error.issues.map((i) => i.path.join('.')).join(', ');
    throw new Error(`Invalid environment: ${names}`);
  }
  return result.data;
}
