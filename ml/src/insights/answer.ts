/**
 * What the insights endpoint answers: a pure function of the artifact and one invocation (validated by the
 * caller with the contract's InsightsInvocation). The only input it can still refuse is a cursor, which the
 * schema can only see as a string: a CursorError, the container's 400.
 */
import type {
  AssignSegmentAnswer,
  ForecastAnswer,
  InsightsArtifact,
  InsightsInvocation,
  PricingAnswer,
  SegmentCustomersAnswer,
  SegmentsAnswer,
} from './contract';
import { nearestCentroid } from './assign';
import { decodeCursor, encodeCursor } from './cursor';
import { suggestPrice } from '../pricing/suggest';

export { CursorError } from './cursor';

export type InsightsAnswer =
  ForecastAnswer | SegmentsAnswer | SegmentCustomersAnswer | AssignSegmentAnswer | PricingAnswer;

type Invocation<T extends InsightsInvocation['task']> = Extract<InsightsInvocation, { task: T }>;
type Customers = InsightsArtifact['segments']['customers'];

export function answerInsights(artifact: InsightsArtifact, invocation: InsightsInvocation): InsightsAnswer {
  switch (invocation.task) {
    case 'forecast':
      return forecast(artifact, invocation);
    case 'segments':
      return segments(artifact);
    case 'segmentCustomers':
      return segmentCustomers(artifact, invocation);
    case 'assignSegment':
      return assignSegment(artifact, invocation);
    case 'pricing':
      return pricing(artifact, invocation);
  }
}

/**
 * The first `weeks` weeks from the cut per product, with its history unless `history` is false (a batch of 500
 * answers a quarter of the JSON without it); products asked twice are answered once.
 */
function forecast(
  { asOf, forecast: part }: InsightsArtifact,
  { productIds, weeks, history = true }: Invocation<'forecast'>,
) {
  const answer: ForecastAnswer = { asOf, items: [], unknown: [] };
  for (const productId of new Set(productIds)) {
    const product = Object.hasOwn(part.products, productId) ? part.products[productId] : undefined;
    if (!product) {
      answer.unknown.push(productId);
      continue;
    }
    answer.items.push({
      productId,
      weeks: part.weekStarts.slice(0, weeks).map((weekStart, i) => ({
        weekStart,
        units: product.units[i],
        p10: product.p10[i],
        p90: product.p90[i],
      })),
      history: history ? part.historyWeekStarts.map((weekStart, i) => ({ weekStart, units: product.history[i] })) : [],
    });
  }
  return answer;
}

function segments({ asOf, segments: part }: InsightsArtifact): SegmentsAnswer {
  return {
    asOf,
    items: part.segments.map(({ segment, name, description, customers, valueShare }) => ({
      segment,
      name,
      description,
      customers,
      valueShare,
    })),
  };
}

/** Each artifact's customers grouped by segment, in the artifact's order (monetary, highest first), built once. */
const bySegment = new WeakMap<InsightsArtifact, Map<string, Customers>>();

function customersOf(artifact: InsightsArtifact, segment: string): Customers | undefined {
  let groups = bySegment.get(artifact);
  if (!groups) {
    groups = new Map(artifact.segments.segments.map((s) => [s.segment, [] as Customers]));
    for (const customer of artifact.segments.customers) groups.get(customer.segment)?.push(customer);
    bySegment.set(artifact, groups);
  }
  return groups.get(segment);
}

function segmentCustomers(artifact: InsightsArtifact, invocation: Invocation<'segmentCustomers'>) {
  const { segment, limit, cursor } = invocation;
  const customers = customersOf(artifact, segment);
  if (!customers) return { found: false, items: [] } satisfies SegmentCustomersAnswer;
  const from = cursor === undefined ? 0 : decodeCursor(cursor, artifact.version, segment, customers.length);
  const to = from + limit;
  const answer: SegmentCustomersAnswer = {
    found: true,
    items: customers
      .slice(from, to)
      .map(({ customerId, recency, frequency, monetary }) => ({ customerId, recency, frequency, monetary })),
  };
  if (to < customers.length) answer.nextCursor = encodeCursor(artifact.version, segment, to);
  return answer;
}

function assignSegment({ segments: part }: InsightsArtifact, { features }: Invocation<'assignSegment'>) {
  const { segment, name, topProducts } = part.segments[nearestCentroid(part.assignment, features)];
  return { segment, name, topProducts } satisfies AssignSegmentAnswer;
}

function pricing({ asOf, pricing: part }: InsightsArtifact, { productId, currentPrice }: Invocation<'pricing'>) {
  const entry = Object.hasOwn(part.products, productId) ? part.products[productId] : undefined;
  if (!entry)
    return {
      productId,
      found: false,
      currentPrice,
      reason: `Not enough evidence: the model saw no sales of this product before ${asOf}.`,
    } satisfies PricingAnswer;
  const { suggestedPrice, reason } = suggestPrice(entry, currentPrice);
  const answer: PricingAnswer = { productId, found: true, currentPrice, reason };
  if (entry.elasticity !== undefined) answer.elasticity = entry.elasticity;
  if (entry.interval !== undefined) answer.interval = entry.interval;
  if (suggestedPrice !== undefined) answer.suggestedPrice = suggestedPrice;
  return answer;
}
