/**
 * `npm run ml:evaluate -- --task forecast`: parameters chosen on validation cuts, then the model beside the
 * issue's baselines on the test cut, as markdown tables.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { BASELINES } from './baselines';
import { DEFAULT_FORECAST_PARAMETERS, DEFAULT_MODEL, describeModel, type ModelParameters } from './model';
import { cutSet, PARAMETER_GRID, PROTOCOL, score, scoreModel, tune, type Scores } from './protocol';
import { buildForecasts } from './train';
import { UNITS_RULE, type WeeklyUnits } from './units';

export interface ForecastEvaluationOptions {
  validation: string[];
  test: string;
  horizon: number;
  tune: boolean;
  onProgress?: (stage: string, done: number, total: number) => void;
  log?: (message: string) => void;
}

export const FORECAST_DEFAULTS = { validation: ['2011-05-16', '2011-06-13', '2011-07-11'], test: '2011-09-05' };

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '–');
const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const row = (cells: string[]) => `| ${cells.join(' | ')} |`;

type Trials = ReturnType<typeof tune>['trials'];

/** The validation figures of every setting tried, as table rows. */
const trialRows = (trials: Trials) =>
  trials.map((t) => row([describeModel(t.parameters), ...t.perCut.map(f3), `**${f3(t.wape)}**`]));

/** Runs the protocol on weekly units covering the test cut's horizon; returns the markdown. */
export function evaluateForecasts(units: WeeklyUnits, options: ForecastEvaluationOptions): string {
  const { horizon, log = () => {}, onProgress } = options;
  const validation = options.validation.map((cut) => cutSet(units, cut, horizon));
  let parameters: ModelParameters = DEFAULT_MODEL;
  let trials: Trials = [];
  if (options.tune) {
    const best = tune(units, validation, PARAMETER_GRID, (d) =>
      onProgress?.('tune forecast', d, PARAMETER_GRID.length),
    );
    ({ parameters, trials } = best);
    const same = JSON.stringify(parameters) === JSON.stringify(DEFAULT_MODEL);
    log(
      `Chosen on ${options.validation.join(', ')}: ${describeModel(parameters)} (mean WAPE ${f3(best.wape)})${same ? ' = DEFAULT_MODEL' : ' — differs from DEFAULT_MODEL'}`,
    );
  }
  const test = cutSet(units, options.test, horizon);
  const rows: [string, Scores & { coverage?: number }][] = BASELINES.map(([name, f]) => [name, score(test, f)]);
  const blend: ModelParameters = { kind: 'median-blend', ...DEFAULT_FORECAST_PARAMETERS };
  rows.push([`${describeModel(blend)} (the previous model)`, scoreModel(units, test, blend)]);
  rows.push([`**${describeModel(parameters)}**`, scoreModel(units, test, parameters)]);
  const started = performance.now();
  buildForecasts({ ...units, weeks: test.at }, options.test, horizon, parameters);
  const seconds = (performance.now() - started) / 1000;
  const validationRows = validation.map((v) => {
    const m = scoreModel(units, v, parameters);
    return row([v.cut, f3(m.wape), f3(m.mase), pct(m.coverage)]);
  });
  return [
    `Cut ${options.test}, horizon ${horizon} weeks, the ${test.products.length} products with the most units in the ${PROTOCOL.selectionWeeks} weeks before the cut. ${UNITS_RULE}`,
    '',
    '| forecaster | WAPE | MASE | p10–p90 coverage |',
    '| --- | ---: | ---: | ---: |',
    ...rows.map(([name, s]) => row([name, f3(s.wape), f3(s.mase), s.coverage === undefined ? '–' : pct(s.coverage)])),
    '',
    `The chosen model on the validation cuts:`,
    '',
    '| cut | WAPE | MASE | p10–p90 coverage |',
    '| --- | ---: | ---: | ---: |',
    ...validationRows,
    '',
    ...(trials.length
      ? [
          `Every setting tried (${trials.length}), WAPE per validation cut and their mean (the lowest mean is chosen):`,
          '',
          row(['setting', ...options.validation, 'mean']),
          row(['---', ...options.validation.map(() => '---:'), '---:']),
          ...trialRows(trials),
          '',
        ]
      : []),
    `Forecasting every product (${units.series.size}) from the weekly units, training and intervals included: ${seconds.toFixed(1)} s.`,
  ].join('\n');
}

/** Replaces the text between `start` and `end` in a file; throws when the markers are missing. */
export async function fillSection(file: string, start: string, end: string, markdown: string): Promise<void> {
  const text = await readFile(file, 'utf8');
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error(`${file} has no ${start} … ${end} section to fill`);
  await writeFile(file, `${text.slice(0, a + start.length)}\n${markdown}\n${text.slice(b)}`);
}
