/**
 * npm run ml:evaluate -- [--data DIR] [--validation 2011-04-01,2011-06-01] [--test 2011-09-01] [--seed 0]
 *                        [--no-tune] [--no-ease] [--readme]
 *
 * 1. Validation splits, one per --validation date (train before it, each customer's next invoice before
 *    the next date or --test): choose the blend's parameters (coordinate ascent on the mean over the
 *    splits, ml/src/evaluate/tune.ts); the last split chooses ALS's and EASE's.
 * 2. Test split (train before --test, each customer's next invoice after it): HR, Precision, Recall and
 *    NDCG at 10 per model, nothing excluded and already-bought products excluded.
 * 3. The published protocol: 20 % of customer–product pairs masked (seeded), mean per-customer AUC.
 * Prints the tables (markdown) on stdout; --readme also writes them into ml/README.md.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isoDay, loadOrderHistory, productsOf } from '../src/data';
import {
  alsScorer,
  artifactScorer,
  easeScorer,
  maskedArtifact,
  maskPairs,
  meanAuc,
  popularityScorer,
} from '../src/evaluate/masked';
import { alsRanker, artifactRanker, easeRanker, popularityRanker, withWeights } from '../src/evaluate/models';
import {
  evaluateTemporal,
  temporalSplit,
  type Ranker,
  type TemporalResult,
  type TemporalSplit,
} from '../src/evaluate/temporal';
import { tuneParameters } from '../src/evaluate/tune';
import type { AlsOptions } from '../src/train/als';
import { buildArtifact, DEFAULT_PARAMETERS, type TrainingParameters } from '../src/train/build';
import { interactions } from '../src/train/matrix';
import { Option } from 'commander';
import { command, datasetDirectory, EXIT, parse, usageError } from './cli';
import { forecastTask } from './evaluate-forecast';
import { pricingTask } from './evaluate-pricing';
import { segmentsTask } from './evaluate-segments';
import { progressDisplay } from './progress';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const days = (value: string) => value.split(',').map((d) => parse.day(d.trim()));
const program = command(
  'npm run ml:evaluate --',
  'Evaluate the recommendation models: tune on validation splits, score on a temporal test split and on the published masked-pairs protocol; print the tables (markdown)',
)
  .option('--data <dir>', 'the dataset folder (default: DATASET_DIR or ../shared/data/online-retail)')
  .option('--validation <days>', 'validation cut-offs, YYYY-MM-DD,… in order, before --test', days, [
    '2011-04-01',
    '2011-06-01',
  ])
  .option('--test <YYYY-MM-DD>', 'the test cut-off', parse.day, '2011-09-01')
  .option('--seed <n>', 'the seed of the masked pairs', parse.wholeNumber, 0)
  .option('--no-tune', 'keep DEFAULT_PARAMETERS: do not tune the blend')
  .option('--no-ease', 'leave EASE out')
  .option('--readme', 'also write the tables into ml/README.md')
  .addOption(
    new Option(
      '--task <task>',
      'what to evaluate; forecast: demand forecasts (default cuts: validation 2011-05-16,2011-06-13,2011-07-11, test 2011-09-05); segments: customer segments (default --test 2011-09-01, checked on the 90 days after it); pricing: price elasticities (validation 2011-04-18,2011-06-13, test 2011-09-05)',
    )
      .choices(['recommendations', 'forecast', 'segments', 'pricing'])
      .default('recommendations'),
  )
  .addHelpText('after', '\nexit codes: 0 evaluated, 1 the evaluation failed, 2 bad usage or no dataset folder')
  .parse();
const values = program.opts<{
  data?: string;
  validation: string[];
  test: string;
  seed: number;
  tune: boolean;
  ease: boolean;
  readme?: boolean;
  task: 'recommendations' | 'forecast' | 'segments' | 'pricing';
}>();
if (values.task === 'segments') {
  const given = program.getOptionValueSource('test') !== 'default';
  await segmentsTask(program, {
    data: values.data,
    test: given ? values.test : undefined,
    seed: values.seed,
    readme: values.readme,
  });
  process.exit(process.exitCode ?? EXIT.ok);
}
if (values.task === 'forecast') {
  const given = (name: string) => program.getOptionValueSource(name) !== 'default';
  await forecastTask(program, {
    data: values.data,
    validation: given('validation') ? values.validation : undefined,
    test: given('test') ? values.test : undefined,
    tune: values.tune,
    readme: values.readme,
  });
  process.exit(process.exitCode ?? EXIT.ok);
}
if (values.task === 'pricing') {
  const given = (name: string) => program.getOptionValueSource(name) !== 'default';
  await pricingTask(program, {
    data: values.data,
    validation: given('validation') ? values.validation : undefined,
    test: given('test') ? values.test : undefined,
    readme: values.readme,
  });
  process.exit(process.exitCode ?? EXIT.ok);
}
const cutoffs = values.validation;
if (!cutoffs.every((d, i) => d < (cutoffs[i + 1] ?? values.test)))
  usageError(program, `--validation: dates in order, before --test ${values.test}`);
const datasetDir = datasetDirectory(values.data);
const seed = values.seed;
const { onProgress, log, elapsed } = progressDisplay();
const timings: [string, number][] = [];
const timed = <T>(label: string, f: () => T): T => {
  const t = performance.now();
  const result = f();
  timings.push([label, (performance.now() - t) / 1000]);
  return result;
};

/** ALS settings tried on the validation split (factors 128, 15 iterations, 3 CG steps; confidence 1 + alpha · invoices). */
const ALS_GRID: AlsOptions[] = [
  { factors: 128, regularization: 10, alpha: 1, iterations: 15 },
  { factors: 128, regularization: 30, alpha: 2, iterations: 15 },
  { factors: 128, regularization: 30, alpha: 5, iterations: 15 },
  { factors: 128, regularization: 100, alpha: 10, iterations: 15 },
];
/** The published ALS settings: 20 factors, regularisation 0.1, confidence alpha 15 × units, 50 iterations. */
const ALS_PUBLISHED: AlsOptions = { factors: 20, regularization: 0.1, alpha: 15, iterations: 50 };
const EASE_LAMBDAS = [100, 300, 1000];

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '–');
const f4 = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : '–');

/** Personal frequency alone: the customer's own products by purchase count and recency, popularity filling in. */
const personalOnly = { personalWeight: 1, neighbourWeight: 0, popularityWeight: 0.001 };
/** Item-to-item alone: the neighbours of the customer's products, popularity filling in. */
const neighboursOnly = { personalWeight: 0, neighbourWeight: 1, popularityWeight: 0.001, personalFirst: false };

/** The objective tuning maximises: NDCG@10 (nothing excluded) + NDCG@10 (bought excluded). */
const objectiveOf = (split: TemporalSplit, ranker: Ranker) =>
  evaluateTemporal(split, ranker, 'all').ndcg + evaluateTemporal(split, ranker, 'new').ndcg;

try {
  log(`Reading ${datasetDir}`);
  const history = await loadOrderHistory(datasetDir, { onProgress: (d, t) => onProgress('read', d, t) });
  if (history.invoices.length === 0) throw new Error(`No cleaned invoices in ${datasetDir}`);
  const dataFrom = isoDay(history.invoices[0].time);
  const dataTo = isoDay(history.invoices.at(-1)!.time);

  // 1. Validation: choose parameters.
  const validations = cutoffs.map((cutoff, i) => temporalSplit(history, cutoff, cutoffs[i + 1] ?? values.test));
  for (const v of validations)
    log(`Validation: train before ${v.cutoff}, ${v.cases.length} customers' next invoice before ${v.targetUntil}`);
  const validation = validations.at(-1)!;
  let parameters: Required<TrainingParameters> = { ...DEFAULT_PARAMETERS };
  let trials = 0;
  if (values.tune) {
    const tuned = timed('blend parameters (validation)', () =>
      tuneParameters(validations, DEFAULT_PARAMETERS, () => onProgress('tune blend', ++trials, trials + 1)),
    );
    onProgress('tune blend', trials, trials);
    parameters = tuned.parameters;
    const same = JSON.stringify(parameters) === JSON.stringify(DEFAULT_PARAMETERS);
    log(
      `Blend parameters after ${trials} trials (objective ${f4(tuned.objective)}): ${JSON.stringify(parameters)}${same ? ' = DEFAULT_PARAMETERS' : ' — differ from DEFAULT_PARAMETERS'}`,
    );
  }
  const validationPopularity = popularityRanker(
    buildArtifact(validation.train, {
      parameters,
      until: Date.parse(`${validation.cutoff}T00:00:00Z`),
      now: new Date(0),
    }),
  );
  let als = ALS_GRID[0];
  let bestAls = -Infinity;
  timed('ALS grid (validation)', () =>
    ALS_GRID.forEach((options, i) => {
      onProgress('tune ALS', i, ALS_GRID.length);
      const objective = objectiveOf(validation, alsRanker(validation, options, validationPopularity));
      if (objective > bestAls) [bestAls, als] = [objective, options];
      onProgress('tune ALS', i + 1, ALS_GRID.length);
    }),
  );
  log(`ALS: ${JSON.stringify(als)} (objective ${f4(bestAls)})`);
  let easeLambda = EASE_LAMBDAS[0];
  if (values.ease) {
    let bestEase = -Infinity;
    timed('EASE grid (validation)', () =>
      EASE_LAMBDAS.forEach((lambda, i) => {
        onProgress('tune EASE', i, EASE_LAMBDAS.length);
        const objective = objectiveOf(validation, easeRanker(validation, lambda, validationPopularity));
        if (objective > bestEase) [bestEase, easeLambda] = [objective, lambda];
        onProgress('tune EASE', i + 1, EASE_LAMBDAS.length);
      }),
    );
    log(`EASE: lambda ${easeLambda} (objective ${f4(bestEase)})`);
  }

  // 2. Test.
  const test = temporalSplit(history, values.test);
  log(
    `Test: train before ${values.test}, ${test.cases.length} customers' next invoice (${test.coldCustomers} more had no history: popularity for every model)`,
  );
  const testArtifact = buildArtifact(test.train, {
    parameters,
    until: Date.parse(`${values.test}T00:00:00Z`),
    now: new Date(0),
  });
  const testPopularity = popularityRanker(testArtifact);
  const models: [string, () => Ranker][] = [
    ['popularity (recency-weighted)', () => testPopularity],
    ['personal frequency × recency', () => artifactRanker(withWeights(testArtifact, personalOnly))],
    ['item-to-item cosine neighbours', () => artifactRanker(withWeights(testArtifact, neighboursOnly))],
    ['**blend (served)**', () => artifactRanker(testArtifact)],
    [`implicit ALS (${als.factors} factors)`, () => alsRanker(test, als, testPopularity)],
  ];
  if (values.ease) models.push([`EASE (λ ${easeLambda})`, () => easeRanker(test, easeLambda, testPopularity)]);
  const temporal: { name: string; all: TemporalResult; fresh: TemporalResult; seconds: number }[] = [];
  models.forEach(([name, make], i) => {
    onProgress('test', i, models.length);
    const t = performance.now();
    const ranker = make();
    const all = evaluateTemporal(test, ranker, 'all');
    const fresh = evaluateTemporal(test, ranker, 'new');
    temporal.push({ name, all, fresh, seconds: (performance.now() - t) / 1000 });
    onProgress('test', i + 1, models.length);
  });

  // 3. The published protocol.
  const full = interactions(history);
  const masked = maskPairs(full, 0.2, seed);
  log(
    `Masked: ${full.indices.length} customer–product pairs, ${masked.full.indices.length - masked.train.indices.length} masked (seed ${seed}), ${masked.altered.length} customers scored`,
  );
  const maskedModel = maskedArtifact(masked, parameters);
  const aucModels: [string, () => ReturnType<typeof popularityScorer>][] = [
    ['popularity, counted on the full matrix (as published)', () => popularityScorer(full)],
    ['popularity, counted on the training matrix', () => popularityScorer(masked.train)],
    [
      'implicit ALS, published settings (20 factors, λ 0.1, α 15 × units, 50 iterations)',
      () => alsScorer(masked, ALS_PUBLISHED, 'quantity'),
    ],
    [
      `implicit ALS, validation settings (${als.factors} factors, λ ${als.regularization}, α ${als.alpha} × invoices)`,
      () => alsScorer(masked, als, 'invoices'),
    ],
    [
      'item-to-item cosine neighbours',
      () => artifactScorer(masked, { ...maskedModel, parameters: { ...parameters, ...neighboursOnly } }),
    ],
    ['blend (served; own products are not candidates here)', () => artifactScorer(masked, maskedModel)],
  ];
  if (values.ease) aucModels.push([`EASE (λ ${easeLambda})`, () => easeScorer(masked, easeLambda)]);
  const aucs: { name: string; auc: number; users: number; seconds: number }[] = [];
  aucModels.forEach(([name, make], i) => {
    onProgress('masked AUC', i, aucModels.length);
    const t = performance.now();
    const result = meanAuc(masked, make());
    aucs.push({ name, ...result, seconds: (performance.now() - t) / 1000 });
    onProgress('masked AUC', i + 1, aucModels.length);
  });

  // Tables.
  const command = `npm run ml:evaluate${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const totalSeconds = elapsed();
  const p = parameters;
  const lines = [
    `Produced by \`${command}\` in ${totalSeconds.toFixed(0)} s (Node ${process.version}, ${new Date().toISOString().slice(0, 10)}).`,
    `Data: ${path.relative(projectRoot, datasetDir) || '.'}, invoices ${dataFrom} to ${dataTo}: ${history.invoices.length} invoices, ${history.customers.length} customers, ${productsOf(history).length} products after cleaning (${history.lines} lines).`,
    '',
    `### Temporal protocol: train before ${values.test}, predict each customer's next invoice`,
    '',
    `Training window ${isoDay(test.train.invoices[0].time)} to ${values.test} (exclusive): ${test.train.invoices.length} invoices, ${test.train.customers.length} customers. ` +
      `Scored: the ${test.cases.length} customers with history who bought again on or after ${values.test} (their first such invoice, ` +
      `${f3(test.cases.reduce((n, c) => n + c.next.size, 0) / test.cases.length)} products on average); ${test.coldCustomers} new customers get popularity from every model and are left out. ` +
      `"Bought excluded": products bought before the cut-off are removed from the recommendations and from the target; ` +
      `${temporal[0].fresh.users} customers' next invoices held something new.`,
    '',
    '| model | HR@10 | P@10 | R@10 | NDCG@10 | HR@10 bought excl. | P@10 | R@10 | NDCG@10 | s |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...temporal.map(
      (r) =>
        `| ${r.name} | ${f3(r.all.hr)} | ${f3(r.all.precision)} | ${f3(r.all.recall)} | ${f3(r.all.ndcg)} | ${f3(r.fresh.hr)} | ${f3(r.fresh.precision)} | ${f3(r.fresh.recall)} | ${f3(r.fresh.ndcg)} | ${r.seconds.toFixed(1)} |`,
    ),
    '',
    `Served parameters (chosen on the validation splits — ${validations.map((v) => `train before ${v.cutoff}, next invoice before ${v.targetUntil}, ${v.cases.length} customers`).join('; ')} — ` +
      `${!values.tune ? 'not re-tuned in this run: DEFAULT_PARAMETERS' : `${trials} settings tried`}): ` +
      `personal ${p.personalWeight}, neighbours ${p.neighbourWeight}, popularity ${p.popularityWeight}; purchase half-life ${p.recencyHalfLifeDays} d; ` +
      `popularity half-life ${p.popularityHalfLifeDays} d (${p.popularityBasis}); ${p.neighbours} neighbours per product, cosine over ${p.neighbourBasis}, shrinkage ${p.neighbourShrink}. ` +
      `ALS's and EASE's settings chosen on the last validation split.`,
    '',
    `### Published protocol: 20 % of customer–product pairs masked, mean per-customer AUC`,
    '',
    `All ${full.users.length} customers × ${full.items.length} products (${full.indices.length} pairs); ${full.indices.length - masked.train.indices.length} pairs masked ` +
      `(uniform without replacement, seeded generator, seed ${seed}); AUC over each altered customer's products not bought in training, ` +
      `masked ones positive, ties counted half; ${masked.altered.length} customers. Published: implicit ALS 0.870, popularity 0.814.`,
    '',
    '| model | mean AUC | customers | s |',
    '|---|---|---|---|',
    ...aucs.map((r) => `| ${r.name} | ${f3(r.auc)} | ${r.users} | ${r.seconds.toFixed(1)} |`),
    '',
    `Timings: ${timings.map(([label, s]) => `${label} ${s.toFixed(1)} s`).join('; ')}; total ${totalSeconds.toFixed(0)} s.`,
  ];
  const markdown = lines.join('\n');
  process.stdout.write(`${markdown}\n`);
  if (values.readme) {
    const readme = path.join(projectRoot, 'ml/README.md');
    const text = await readFile(readme, 'utf8');
    const start = '<!-- results:start -->';
    const end = '<!-- results:end -->';
    const a = text.indexOf(start);
    const b = text.indexOf(end);
    if (a < 0 || b < a) throw new Error(`ml/README.md has no ${start} … ${end} section to fill`);
    await writeFile(readme, `${text.slice(0, a + start.length)}\n${markdown}\n${text.slice(b)}`);
    log(`Wrote the tables into ${readme}`);
  }
} catch (e) {
  log(`ml:evaluate: ${(e as Error).message}`);
  process.exitCode = EXIT.failed;
}
