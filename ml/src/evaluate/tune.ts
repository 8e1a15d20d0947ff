/**
 * Choosing the served parameters on validation splits: coordinate ascent over a grid, one coordinate at a
 * time, from the current defaults, until a round changes nothing (at most three rounds). Objective, averaged
 * over the splits: NDCG@10 with nothing excluded plus NDCG@10 with already-bought products excluded — the
 * two uses of the answer (what the customer will buy next, and what to show them that they have not bought).
 */
import { buildArtifact, type TrainingParameters } from '../train/build';
import type { ModelArtifact } from '../model';
import { artifactRanker } from './models';
import { evaluateTemporal, type TemporalSplit } from './temporal';

/**
 * The grid, one coordinate per line. The two blend weights move together (one coordinate of all pairs):
 * with bought products excluded only their ratio matters, with nothing excluded their size against the
 * personal weight (1) — one at a time, the search stalls on the ridge between the two.
 */
type Tuned =
  | 'neighbourWeight'
  | 'popularityWeight'
  | 'recencyHalfLifeDays'
  | 'popularityHalfLifeDays'
  | 'neighbours'
  | 'neighbourShrink';
export const SEARCH_SPACE: Partial<Pick<Required<TrainingParameters>, Tuned>>[][] = [
  [0, 0.1, 0.3, 0.5, 1, 2, 4, 8].flatMap((neighbourWeight) =>
    [0.05, 0.1, 0.2, 0.5, 1, 2, 4].map((popularityWeight) => ({ neighbourWeight, popularityWeight })),
  ),
  [90, 180, 365, 730, 3650].map((recencyHalfLifeDays) => ({ recencyHalfLifeDays })),
  [3, 5, 7, 10, 20, 40].map((popularityHalfLifeDays) => ({ popularityHalfLifeDays })),
  [5, 10, 20, 30, 50].map((neighbours) => ({ neighbours })),
  [0, 2, 5, 10, 20].map((neighbourShrink) => ({ neighbourShrink })),
];

/** Parameters that change the artifact (the others only change scoring). */
const TRAINING_KEYS = [
  'popularityHalfLifeDays',
  'neighbours',
  'neighbourShrink',
  'neighbourBasis',
  'popularityBasis',
] as const;

export interface TuneResult {
  parameters: Required<TrainingParameters>;
  objective: number;
  /** Every setting tried, in order; `all` and `new`: mean NDCG@10 over the splits. */
  trials: { parameters: Required<TrainingParameters>; all: number; new: number; objective: number }[];
}

/** Coordinate ascent from `start`; `onTrial` hears of each setting scored. */
export function tuneParameters(
  splits: TemporalSplit[],
  start: Required<TrainingParameters>,
  onTrial?: (trial: TuneResult['trials'][number], best: number) => void,
  maxRounds = 3,
): TuneResult {
  const artifacts = new Map<string, ModelArtifact>();
  const artifactFor = (s: number, p: Required<TrainingParameters>) => {
    const key = JSON.stringify([s, ...TRAINING_KEYS.map((k) => p[k])]);
    let artifact = artifacts.get(key);
    if (!artifact) {
      const until = Date.parse(`${splits[s].cutoff}T00:00:00.000Z`);
      artifacts.set(key, (artifact = buildArtifact(splits[s].train, { parameters: p, until, now: new Date(0) })));
    }
    return { ...artifact, parameters: p };
  };
  const trials: TuneResult['trials'] = [];
  const seen = new Map<string, number>();
  const score = (p: Required<TrainingParameters>) => {
    const key = JSON.stringify(p);
    const known = seen.get(key);
    if (known !== undefined) return known;
    let all = 0;
    let fresh = 0;
    splits.forEach((split, s) => {
      const ranker = artifactRanker(artifactFor(s, p));
      all += evaluateTemporal(split, ranker, 'all').ndcg / splits.length;
      fresh += evaluateTemporal(split, ranker, 'new').ndcg / splits.length;
    });
    const trial = { parameters: p, all, new: fresh, objective: all + fresh };
    trials.push(trial);
    seen.set(key, trial.objective);
    onTrial?.(trial, Math.max(trial.objective, best));
    return trial.objective;
  };
  let best = -Infinity;
  let current = { ...start };
  best = score(current);
  for (let round = 0; round < maxRounds; round++) {
    let changed = false;
    for (const coordinate of SEARCH_SPACE) {
      for (const values of coordinate) {
        const candidate = { ...current, ...values };
        if (JSON.stringify(candidate) === JSON.stringify(current)) continue;
        const objective = score(candidate);
        // Strictly better only: a tie keeps the current value.
        if (objective > best + 1e-9) {
          best = objective;
          current = candidate;
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
  return { parameters: current, objective: best, trials };
}
