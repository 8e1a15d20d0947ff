/**
 * Loading whichever model a model directory holds: `model.json`'s `format` says which (recommendations or
 * demand insights), and that format's parser checks it. The container (ml/bin/serve.ts) serves either, so
 * one image backs both endpoints.
 */
import { parseInsightsArtifact } from '../insights/artifact';
import { INSIGHTS_FORMAT } from '../insights/contract';
import { ARTIFACT_FORMAT, ArtifactError, MODEL_FILE, parseArtifact, readModelJson } from './artifact';
import type { ServedModel } from './models';

export const SERVED_FORMATS = [ARTIFACT_FORMAT, INSIGHTS_FORMAT] as const;

/** Validates a parsed model.json of any served format; throws ArtifactError naming the first problem. */
export function parseServedModel(value: unknown, source = MODEL_FILE): ServedModel {
  const format = (value as { format?: unknown } | null)?.format;
  if (format === INSIGHTS_FORMAT) return parseInsightsArtifact(value, source);
  if (format === ARTIFACT_FORMAT) return parseArtifact(value, source);
  throw new ArtifactError(
    `${source} is no model artifact this server knows: format ${JSON.stringify(format)} is none of ${SERVED_FORMATS.join(', ')}`,
  );
}

/** Reads and validates `<dir>/model.json`, whichever model it is. */
export async function loadServedModel(dir: string): Promise<ServedModel> {
  const { parsed, file } = await readModelJson(dir);
  return parseServedModel(parsed, file);
}
