/**
 * Model artifacts built by hand for tests: plain JSON in the ml/src/model.ts shape, so the server, the
 * recommendations function and the local substrate are tested without training anything.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ModelArtifact } from '../../ml/src/model';
import { DEMO_CATALOG } from '@ecicomm/local-platform/seed/demo-catalog';

export const TEST_MODEL_VERSION = 'test.blend.000001';
/** In the test catalog as an INACTIVE product (the recommendations suite writes it): never shown. */
export const INACTIVE_PRODUCT_ID = 'REC-TEST-INACTIVE';
/** In no catalog at all: never shown. */
export const MISSING_PRODUCT_ID = 'REC-TEST-MISSING';

export function testModel(overrides: Partial<ModelArtifact> = {}): ModelArtifact {
  const demo = [...DEMO_CATALOG].sort((a, b) => b.popularity - a.popularity || (a.id < b.id ? -1 : 1));
  return {
    format: 'ecicomm-recs/1',
    version: TEST_MODEL_VERSION,
    trainedAt: '2026-01-01T00:00:00.000Z',
    dataWindow: { from: '2025-01-01', until: '2026-01-01', invoices: 100, customers: 10, items: demo.length },
    cleaning: 'hand-made test model',
    parameters: {
      personalWeight: 1,
      neighbourWeight: 0.5,
      popularityWeight: 0.1,
      recencyHalfLifeDays: 90,
      neighbours: 10,
      popularityHalfLifeDays: 60,
    },
    // The two unsellable products lead the ranking, so every path (model and fallback) must filter them.
    popularity: [
      [INACTIVE_PRODUCT_ID, 2000],
      [MISSING_PRODUCT_ID, 1500],
      ...demo.map((p): [string, number] => [p.id, p.popularity]),
    ],
    neighbours: {
      // Zinc T-light holder: bought with the candles and fairy lights (and the inactive product).
      'ECI-LT-001': [
        [INACTIVE_PRODUCT_ID, 0.9],
        ['ECI-LT-003', 0.8],
        ['ECI-LT-004', 0.6],
        ['ECI-LT-002', 0.4],
      ],
      'ECI-KD-002': [
        ['ECI-KD-003', 0.7],
        ['ECI-KD-001', 0.5],
      ],
      'ECI-CL-002': [
        ['ECI-CL-001', 0.9],
        ['ECI-HD-003', 0.3],
      ],
    },
    ...overrides,
  };
}

/** Writes the artifact as `<dir>/model.json`, as training does; returns the directory. */
export function writeTestModel(dir: string, model: ModelArtifact = testModel()): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'model.json'), JSON.stringify(model));
  return dir;
}
