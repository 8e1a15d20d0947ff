/**
 * Loading a model artifact for serving. The server reads `model.json` from the model directory — the
 * directory `npm run ml:train` writes, or `/opt/ml/model` where SageMaker unpacks model.tar.gz — and
 * checks its shape before it answers a single request: a truncated or foreign file fails the load (and
 * /ping stays 503), never an invocation. Deliberately independent of the training code, so the container
 * needs only this folder and ml/src/model.ts.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod';
import type { ModelArtifact } from '../model';

export const MODEL_FILE = 'model.json';
export const ARTIFACT_FORMAT = 'ecicomm-recs/1';

const Scored = z.tuple([z.string().min(1), z.number().refine(Number.isFinite, 'Must be finite')]);

/** What serving relies on; other fields of the artifact (metrics, data window) pass through unchecked. */
const Artifact = z.looseObject({
  format: z.literal(ARTIFACT_FORMAT),
  version: z.string().min(1),
  trainedAt: z.string(),
  parameters: z.looseObject({
    personalWeight: z.number(),
    neighbourWeight: z.number(),
    popularityWeight: z.number(),
    recencyHalfLifeDays: z.number().positive(),
  }),
  popularity: z.array(Scored),
  neighbours: z.record(z.string(), z.array(Scored)),
});

export class ArtifactError extends Error {
  override name = 'ArtifactError';
}

/** Validates a parsed model.json; throws ArtifactError naming the first problem. */
export function parseArtifact(value: unknown, source = MODEL_FILE): ModelArtifact {
  const result = Artifact.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ArtifactError(
      `${source} is not an ${ARTIFACT_FORMAT} model artifact: ${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
  }
  return result.data as unknown as ModelArtifact;
}

export const modelFileIn = (dir: string) => path.join(dir, MODEL_FILE);
export const hasModel = (dir: string) => existsSync(modelFileIn(dir));

/** `<dir>/model.json` parsed, whichever model it holds, with its path; ArtifactError when missing or not JSON. */
export async function readModelJson(dir: string): Promise<{ parsed: unknown; file: string }> {
  const file = modelFileIn(dir);
  if (!existsSync(file)) throw new ArtifactError(`No ${MODEL_FILE} in ${dir}`);
  try {
    return { parsed: JSON.parse(await readFile(file, 'utf8')), file };
  } catch (e) {
    throw new ArtifactError(`${file} is not JSON: ${(e as Error).message}`);
  }
}

/** Reads and validates `<dir>/model.json`. */
export async function loadArtifact(dir: string): Promise<ModelArtifact> {
  const { parsed, file } = await readModelJson(dir);
  return parseArtifact(parsed, file);
}
