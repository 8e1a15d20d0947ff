import type { Log } from '../shared/log';
import type { Clock } from '../shared/clock';
import type { RecommendationRequest } from '../../ml/src/model';
import type { ModelAnswer } from './schemas';
import type { BusinessMetrics } from '../shared/metrics';
import type { SegmentFeatures } from '../../ml/src/insights/contract';

/** One purchased line of the shopper's history. */
export interface PurchaseLine {
  productId: string;
  quantity: number;
  /** ISO 8601: when the order was placed. */
  at: string;
  /** The order it was bought in: purchases are counted by order (the segment's frequency). */
  orderId?: string;
  /** Minor units paid per unit; absent on lines kept before prices were (the segment's monetary counts them as 0). */
  unitPrice?: number;
}

/** The shopper's recent purchases (the orders context's API, read-only). */
export interface PurchaseHistory {
  recentLines(userId: string): Promise<PurchaseLine[]>;
}

export class ModelUnavailableError extends Error {
  override name = 'ModelUnavailableError';
  constructor(
    /** Why, for logs and metrics: timeout, breaker-open, garbage, error. */
    readonly reason: 'timeout' | 'breaker-open' | 'garbage' | 'error',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The recommendation model behind its endpoint. Answers, or throws ModelUnavailableError: failures,
 * slowness, an open breaker and malformed answers all end up there.
 */
export interface RecommendationModel {
  recommend(request: RecommendationRequest): Promise<{ answer: ModelAnswer; variant: string | null }>;
}

/** Products by popularity, best first: what the shopper sees when the model cannot answer. */
export interface PopularProducts {
  top(): Promise<{ items: [productId: string, score: number][]; version: string }>;
}

/** The catalog as recommendations show it: live names and prices, and whether a product is on sale. */
export interface ProductDetails {
  getMany(
    ids: readonly string[],
  ): Promise<Map<string, { id: string; name: string; price: number; currency: string; status: string }>>;
}

/** A shopper's segment as the demand-insights model assigns it (ml/src/insights/contract.ts AssignSegmentAnswer). */
export interface ShopperSegment {
  segment: string;
  name: string;
  /** The segment's most bought products, most first: the fallback ranking for its shoppers. */
  topProducts: string[];
}

/** The demand-insights model's segment assignment; rejects on any failure (the caller goes on without one). */
export interface SegmentAssigner {
  assign(features: SegmentFeatures): Promise<ShopperSegment>;
}

export interface RecommendationsDeps {
  /** The signed-in shopper's segment (the demand-insights endpoint). */
  segments: SegmentAssigner;
  /** Now, for the segment's recency and tenure. */
  clock: Clock;
  model: RecommendationModel;
  popular: PopularProducts;
  products: ProductDetails;
  history: PurchaseHistory;
  /** Structured logs (the fallback and why), injected so the domain stays free of the logger. */
  log: Pick<Log, 'warn' | 'debug'>;
  /** Counts the answers given without the model, by reason. */
  metrics: BusinessMetrics;
}
