import { describe, expect, it } from '@jest/globals';
import { FORECAST_WEEKS, ForecastPart, HISTORY_WEEKS } from '../../ml/src/insights/contract';
import { buildForecastPart } from '../../ml/src/forecast/part';
import type { WeeklyUnits } from '../../ml/src/forecast/units';
import { addWeeks } from '../../ml/src/forecast/weeks';
import { seededRandom } from '../../ml/src/random';

const ORIGIN = '2010-11-29';

/** 40 weeks of lumpy demand for 30 products, one product that never sold and one first sold in week 39. */
function units(): WeeklyUnits {
  const random = seededRandom(3);
  const weeks = 40;
  const series = new Map<string, Float64Array>();
  for (let p = 0; p < 30; p++)
    series.set(
      `P${p}`,
      Float64Array.from({ length: weeks }, () => (random() < 0.2 ? 200 : Math.round(10 * random()))),
    );
  series.set('NEVER', new Float64Array(weeks));
  const late = new Float64Array(weeks);
  late[39] = 7;
  series.set('LATE', late);
  return { origin: ORIGIN, weeks, series };
}

describe('buildForecastPart', () => {
  const data = units();
  const asOf = addWeeks(ORIGIN, 40);
  const part = buildForecastPart(data, asOf);

  it("has the contract's shape: 26 weeks from asOf, 26 weeks of history before it", () => {
    expect(() => ForecastPart.parse(part)).not.toThrow();
    expect(part.weekStarts).toHaveLength(FORECAST_WEEKS);
    expect(part.weekStarts[0]).toBe(asOf);
    expect(part.weekStarts[25]).toBe(addWeeks(asOf, 25));
    expect(part.historyWeekStarts).toHaveLength(HISTORY_WEEKS);
    expect(part.historyWeekStarts.at(-1)).toBe(addWeeks(asOf, -1));
    expect(part.historyWeekStarts[0]).toBe(addWeeks(ORIGIN, 40 - HISTORY_WEEKS));
  });

  it('keeps every product sold before asOf, and only those', () => {
    expect(Object.keys(part.products).sort()).toEqual([...data.series.keys()].filter((id) => id !== 'NEVER').sort());
  });

  it("aligns each product's history with historyWeekStarts, to one decimal", () => {
    for (const [id, entry] of Object.entries(part.products)) {
      const row = data.series.get(id)!;
      expect(entry.history).toEqual(Array.from(row.subarray(40 - HISTORY_WEEKS, 40)));
    }
    expect(part.products.LATE.history.at(-1)).toBe(7);
  });

  it('forecasts inside their band, p10 <= units <= p90, to one decimal', () => {
    for (const entry of Object.values(part.products)) {
      for (let h = 0; h < FORECAST_WEEKS; h++) {
        expect(entry.p10[h]).toBeLessThanOrEqual(entry.units[h]);
        expect(entry.units[h]).toBeLessThanOrEqual(entry.p90[h]);
        for (const v of [entry.p10[h], entry.units[h], entry.p90[h]]) expect(Math.round(v * 10)).toBeCloseTo(v * 10, 9);
      }
    }
    // Lumpy demand: the band is wide somewhere.
    expect(Object.values(part.products).some((e) => e.p90[0] > e.p10[0] + 10)).toBe(true);
  });

  it('sees only the weeks before asOf, and pads the weeks after the data with zeros', () => {
    const earlier = buildForecastPart(data, addWeeks(ORIGIN, 30));
    expect(earlier.historyWeekStarts.at(-1)).toBe(addWeeks(ORIGIN, 29));
    expect(earlier.products.LATE).toBeUndefined();
    const later = buildForecastPart(data, addWeeks(ORIGIN, 42));
    expect(later.products.P0.history.slice(-2)).toEqual([0, 0]);
    expect(later.products.P0.history.slice(0, -2)).toEqual(Array.from(data.series.get('P0')!.subarray(16, 40)));
  });

  it('reports its parameters and a backtest, and refuses a day that is not a Monday', () => {
    expect(part.metrics.parameters).toBeDefined();
    expect(part.metrics.backtest).toMatchObject({ cut: addWeeks(ORIGIN, 32), weeks: 8 });
    expect(() => buildForecastPart(data, '2011-09-06')).toThrow(/Monday/); // asOf is 2011-09-05
  });
});
