/**
 * Training: the dataset's cleaned order history (ml/src/data.ts) before a cut-off → the model artifact
 * (ml/src/model.ts): recency-weighted popularity, item-to-item neighbours, and the blend's parameters,
 * with figures measured on a holdout at training time. Used by `npm run ml:train` and the model server.
 */
import { isoDay, loadOrderHistory, parseCutoff, type OrderHistory } from '../data';
import { artifactRanker, popularityRanker, withWeights } from '../evaluate/models';
import { evaluateTemporal, temporalSplit } from '../evaluate/temporal';
import type { ModelArtifact } from '../model';
import { buildArtifact, type TrainingParameters } from './build';

export { readArtifact, writeArtifact } from './artifact';
export { buildArtifact, DEFAULT_PARAMETERS, type TrainingParameters } from './build';

export interface TrainModelOptions {
  /** The dataset directory (UCI Online Retail, monthly gzipped CSVs). */
  datasetDir: string;
  /** Only invoices before this date ('YYYY-MM-DD', UTC midnight; exclusive). Default: all. */
  until?: string;
  /** Stages: 'read' (compressed bytes), 'popularity', 'neighbours' (products), 'holdout' (steps). */
  onProgress?: (stage: string, done: number, total: number) => void;
  parameters?: Partial<TrainingParameters>;
  /**
   * Days at the end of the window held out to measure the model at training time (trained on the days
   * before, predicting each customer's next invoice within them); recorded in `metrics`. 0: skip. Default 90.
   */
  holdoutDays?: number;
  /** Fixes `trainedAt`. */
  now?: Date;
}

const DAY_MS = 86_400_000;

export async function trainModel(options: TrainModelOptions): Promise<ModelArtifact> {
  const { datasetDir, until, onProgress, parameters, holdoutDays = 90, now } = options;
  const history = await loadOrderHistory(datasetDir, {
    until,
    onProgress: onProgress && ((done, total) => onProgress('read', done, total)),
  });
  if (history.invoices.length === 0)
    throw new Error(`No cleaned invoices in ${datasetDir}${until ? ` before ${until}` : ''}`);
  const artifact = buildArtifact(history, {
    parameters,
    until: until === undefined ? undefined : parseCutoff(until),
    onProgress,
    now,
  });
  if (holdoutDays > 0) {
    const metrics = holdoutMetrics(history, artifact, holdoutDays, onProgress);
    if (metrics) artifact.metrics = metrics;
  }
  return artifact;
}

/**
 * The temporal protocol on the window's last `days`: the blend, personal frequency and popularity, HR,
 * Precision, Recall and NDCG at 10, nothing excluded and (".new") already-bought products excluded.
 * Undefined when the window is too short to hold out anything.
 */
export function holdoutMetrics(
  history: OrderHistory,
  artifact: ModelArtifact,
  days: number,
  onProgress?: (stage: string, done: number, total: number) => void,
): ModelArtifact['metrics'] {
  const end = parseCutoff(artifact.dataWindow.until);
  const cutoff = isoDay(end - days * DAY_MS);
  const split = temporalSplit(history, cutoff);
  if (split.train.invoices.length === 0 || split.cases.length === 0) return undefined;
  const steps = 4;
  onProgress?.('holdout', 0, steps);
  const model = buildArtifact(split.train, {
    parameters: artifact.parameters as Partial<TrainingParameters>,
    until: parseCutoff(cutoff),
    now: new Date(0),
  });
  onProgress?.('holdout', 1, steps);
  const metrics: NonNullable<ModelArtifact['metrics']> = {
    holdout: {
      days,
      customers: split.cases.length,
      coldCustomers: split.coldCustomers,
      trainInvoices: split.train.invoices.length,
    },
  };
  const rankers = {
    blend: artifactRanker(model),
    personal: artifactRanker(withWeights(model, { personalWeight: 1, neighbourWeight: 0, popularityWeight: 0.001 })),
    popularity: popularityRanker(model),
  };
  let step = 1;
  for (const [name, ranker] of Object.entries(rankers)) {
    const all = evaluateTemporal(split, ranker, 'all');
    const fresh = evaluateTemporal(split, ranker, 'new');
    metrics[name] = {
      'hr@10': all.hr,
      'precision@10': all.precision,
      'recall@10': all.recall,
      'ndcg@10': all.ndcg,
      'new.hr@10': fresh.hr,
      'new.precision@10': fresh.precision,
      'new.recall@10': fresh.recall,
      'new.ndcg@10': fresh.ndcg,
    };
    for (const key of Object.keys(metrics[name])) metrics[name][key] = Math.round(metrics[name][key] * 1e4) / 1e4;
    onProgress?.('holdout', ++step, steps);
  }
  return metrics;
}
