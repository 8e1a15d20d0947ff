/**
 * The raw limits of the paths section: the SDK requests each route's handler cannot do without, sent straight
 * from this process, timed step by step. Recommendations: InvokeEndpoint with the request the function builds
 * (functions/recommendations/domain/recommendations.ts modelRequest), then one BatchGetItem of the candidates it
 * answered. Cart: the consistent GetItem of the cart, then one BatchGetItem of its lines' products. Order: the
 * consistent GetItem of the order.
 */
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { BatchGetCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { performance } from 'node:perf_hooks';
import { cartOwner } from '../../functions/cart/domain/cart';
import { modelRequest, type RecommendationsInput } from '../../functions/recommendations/domain/recommendations';
import type { PathsTarget } from './paths-setup';

/** One raw chain: each step's milliseconds, by name. */
export type RawChain = () => Promise<Record<string, number>>;

const timed = async <T>(steps: Record<string, number>, name: string, run: () => Promise<T>): Promise<T> => {
  const t0 = performance.now();
  const value = await run();
  steps[name] = performance.now() - t0;
  return value;
};

const batchGet = (t: PathsTarget, ids: string[]) =>
  t.doc.send(
    new BatchGetCommand({ RequestItems: { [t.info.tableNames.products]: { Keys: ids.map((id) => ({ id })) } } }),
  );

/** The model's call and the candidates' hydration, as the recommendations function sends them. */
export function recommendationsRaw(t: PathsTarget, input: RecommendationsInput): RawChain {
  const endpoint = t.info.env.SAGEMAKER_ENDPOINT_NAME;
  const body = new TextEncoder().encode(JSON.stringify(modelRequest(input, input.userId ? t.shopper.lines : [])));
  const decoder = new TextDecoder();
  return async () => {
    const steps: Record<string, number> = {};
    const output = await timed(steps, 'model', () =>
      t.sagemaker.send(
        new InvokeEndpointCommand({
          EndpointName: endpoint,
          ContentType: 'application/json',
          Accept: 'application/json',
          Body: body,
        }),
      ),
    );
    const answer = JSON.parse(decoder.decode(output.Body)) as { items: { productId: string }[] };
    const ids = [...new Set(answer.items.map((i) => i.productId))].slice(0, 100);
    if (!ids.length) throw new Error('the model answered no candidates');
    await timed(steps, 'batchGet', () => batchGet(t, ids));
    return steps;
  };
}

/** The cart's item, then its products. */
export function cartRaw(t: PathsTarget): RawChain {
  const ownerId = cartOwner({ userId: t.shopper.userId, email: '', groups: [] }, undefined);
  return async () => {
    const steps: Record<string, number> = {};
    const { Item } = await timed(steps, 'getItem', () =>
      t.doc.send(new GetCommand({ TableName: t.info.tableNames.carts, Key: { ownerId }, ConsistentRead: true })),
    );
    const lines = (Item?.lines ?? []) as { productId: string }[];
    if (!lines.length) throw new Error(`the cart of ${ownerId} has no lines`);
    await timed(steps, 'batchGet', () =>
      batchGet(
        t,
        lines.map((l) => l.productId),
      ),
    );
    return steps;
  };
}

/** The order's item. */
export function orderRaw(t: PathsTarget): RawChain {
  const { orderId } = t.shopper;
  return async () => {
    const steps: Record<string, number> = {};
    const { Item } = await timed(steps, 'getItem', () =>
      t.doc.send(new GetCommand({ TableName: t.info.tableNames.orders, Key: { orderId }, ConsistentRead: true })),
    );
    if (!Item) throw new Error(`order ${orderId} not found`);
    return steps;
  };
}
