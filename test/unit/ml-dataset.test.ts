/**
 * On the real dataset, where it is present (DATASET_DIR, default ../shared/data/online-retail): training on
 * four months gives a model that beats popularity on the two months after.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadOrderHistory } from '../../ml/src/data';
import { artifactRanker, popularityRanker, withWeights } from '../../ml/src/evaluate/models';
import { evaluateTemporal, temporalSplit } from '../../ml/src/evaluate/temporal';
import { trainModel } from '../../ml/src/train/index';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const datasetDir = path.resolve(projectRoot, process.env.DATASET_DIR ?? '../shared/data/online-retail');

describe('training on a slice of the real dataset', () => {
  it.runIf(existsSync(datasetDir))(
    'beats popularity, and personal frequency on products not bought before, on the next invoice after the slice',
    async () => {
      const started = performance.now();
      const model = await trainModel({ datasetDir, until: '2011-04-01', holdoutDays: 0 });
      expect(model.dataWindow).toMatchObject({ from: '2010-12-01', until: '2011-04-01' });
      expect(model.popularity.length).toBeGreaterThan(2000);

      // Held out: each customer's first invoice in April–May 2011.
      const split = temporalSplit(await loadOrderHistory(datasetDir, { until: '2011-06-01' }), '2011-04-01');
      expect(split.cases.length).toBeGreaterThan(500);
      const blend = artifactRanker(model);
      const popularity = popularityRanker(model);
      const personal = artifactRanker(withWeights(model, { neighbourWeight: 0, popularityWeight: 0.001 }));

      const all = {
        blend: evaluateTemporal(split, blend, 'all'),
        popularity: evaluateTemporal(split, popularity, 'all'),
      };
      const fresh = {
        blend: evaluateTemporal(split, blend, 'new'),
        popularity: evaluateTemporal(split, popularity, 'new'),
        personal: evaluateTemporal(split, personal, 'new'),
      };
      expect(all.blend.hr).toBeGreaterThan(all.popularity.hr + 0.1);
      expect(all.blend.ndcg).toBeGreaterThan(all.popularity.ndcg * 1.5);
      expect(fresh.blend.hr).toBeGreaterThan(fresh.popularity.hr);
      expect(fresh.blend.hr).toBeGreaterThan(fresh.personal.hr);
      expect(performance.now() - started).toBeLessThan(30_000);
    },
    60_000,
  );
});
