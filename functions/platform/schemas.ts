import * as z from 'zod/mini';

export const ComponentStatus = z.enum(['ok', 'down']);
export const Health = z.object({
  status: z.enum(['ok', 'degraded']),
  components: z.record(z.string(), ComponentStatus),
});
export type Health = z.infer<typeof Health>;
