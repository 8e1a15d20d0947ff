/**
 * Loading a demand-insights artifact (`model.json` of format ecicomm-insights/1) for serving: the contract's
 * zod schema, then the cross-references a schema of independent fields cannot state (a centroid per segment,
 * a history week per history figure, customers only in known segments). A file that fails either fails the
 * load — /ping stays 503 — never an invocation.
 */
import { INSIGHTS_FORMAT, InsightsArtifact, type InsightsArtifact as InsightsArtifactType } from './contract';
import { ArtifactError } from '../serve/artifact';

/** The first inconsistency between the artifact's parts, as `path: message`, or undefined when there is none. */
function inconsistency(artifact: InsightsArtifactType): string | undefined {
  const { forecast, segments } = artifact;
  const historyWeeks = forecast.historyWeekStarts.length;
  for (const [productId, product] of Object.entries(forecast.products)) {
    if (product.history.length !== historyWeeks)
      return `forecast.products.${productId}.history: has ${product.history.length} weeks, historyWeekStarts ${historyWeeks}`;
  }
  if (segments.assignment.centroids.length !== segments.segments.length)
    return `segments.assignment.centroids: ${segments.assignment.centroids.length} centroids for ${segments.segments.length} segments`;
  const ids = new Set<string>();
  for (const { segment } of segments.segments) {
    if (ids.has(segment)) return `segments.segments: segment ${segment} appears twice`;
    ids.add(segment);
  }
  const stray = segments.customers.findIndex((c) => !ids.has(c.segment));
  if (stray >= 0) return `segments.customers.${stray}.segment: ${segments.customers[stray].segment} is no segment`;
  for (const [productId, entry] of Object.entries(artifact.pricing.products)) {
    if (entry.minObservedPrice > entry.maxObservedPrice)
      return `pricing.products.${productId}: minObservedPrice exceeds maxObservedPrice`;
  }
  return undefined;
}

/** Validates a parsed model.json as an insights artifact; throws ArtifactError naming the first problem. */
export function parseInsightsArtifact(value: unknown, source = 'model.json'): InsightsArtifactType {
  const result = InsightsArtifact.safeParse(value);
  const problem = result.success
    ? inconsistency(result.data)
    : (() => {
        const issue = result.error.issues[0];
        return `${issue.path.join('.') || '(root)'}: ${issue.message}`;
      })();
  if (problem !== undefined || !result.success)
    throw new ArtifactError(`${source} is not an ${INSIGHTS_FORMAT} model artifact: ${problem}`);
  return result.data;
}
