import type { Log } from '../shared/log';
import type { RecommendationRequest } from '../../ml/src/model';
import type { ModelAnswer } from './schemas';
import type { BusinessMetrics } from '../shared/metrics';

/** One purchased line of the shopper's history, as the model takes it. */
export interface PurchaseLine {
  productId: string;
  quantity: number;
  /** ISO 8601: when the order was placed. */
  at: string;
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

export interface RecommendationsDeps {
  model: RecommendationModel;
  popular: PopularProducts;
  products: ProductDetails;
  history: PurchaseHistory;
  /** Structured logs (the fallback and why), injected so the domain stays free of the logger. */
  log: Pick<Log, 'warn' | 'debug'>;
  /** Counts the answers given without the model, by reason. */
  metrics: BusinessMetrics;
}
