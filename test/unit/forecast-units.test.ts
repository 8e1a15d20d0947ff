import { describe, expect, it } from '@jest/globals';
import { toIsoUtc } from '../../catalog-data/invoice-lines';
import { isUnitsLine, topProducts, WeeklyUnitsBuilder } from '../../ml/src/forecast/units';
import { addWeeks, isMonday, weekIndex, weekStartOf } from '../../ml/src/forecast/weeks';

const line = (invoiceNo: string, stockCode: string, quantity: number, unitPrice: number, localTime: string) => ({
  invoiceNo,
  stockCode,
  quantity,
  unitPrice,
  // As the reader writes it: the data's naive UK local time, digits kept.
  invoiceDate: toIsoUtc(localTime),
});

describe("ISO weeks on the data's UK local dates", () => {
  it('starts weeks on Mondays and ends them on Sundays', () => {
    expect(weekStartOf('2011-09-05')).toBe('2011-09-05');
    expect(weekStartOf('2011-09-11T23:59:00.000Z')).toBe('2011-09-05');
    expect(weekStartOf('2011-09-12T00:00:00.000Z')).toBe('2011-09-12');
    expect(weekStartOf('2011-01-01')).toBe('2010-12-27');
    expect(isMonday('2011-09-05')).toBe(true);
    expect(isMonday('2011-09-06')).toBe(false);
    expect(addWeeks('2011-09-05', 8)).toBe('2011-10-31');
    expect(weekIndex('2010-11-29', '2010-12-01T08:26:00.000Z')).toBe(0);
  });

  it('keeps lines near midnight in their local week across the DST changes', () => {
    // 2011-03-27: clocks go forward (01:00 GMT). 00:30 on Monday 28 March (BST) is 23:30 UTC on the Sunday:
    // a time-zone conversion would put it in the week before.
    const b = new WeeklyUnitsBuilder('2011-03-21', 2);
    b.add(line('1', 'A', 1, 1, '2011-03-27T23:30:00'));
    b.add(line('2', 'A', 10, 1, '2011-03-28T00:30:00'));
    // 2011-10-30: clocks go back. 00:15 on Monday 31 October is still BST (23:15 UTC Sunday).
    const autumn = new WeeklyUnitsBuilder('2011-10-24', 2);
    autumn.add(line('3', 'A', 5, 1, '2011-10-30T23:45:00'));
    autumn.add(line('4', 'A', 7, 1, '2011-10-31T00:15:00'));
    expect(Array.from(b.build().series.get('A')!)).toEqual([1, 10]);
    expect(Array.from(autumn.build().series.get('A')!)).toEqual([5, 7]);
  });
});

describe('the units rule', () => {
  it('counts positive quantities at positive prices on invoices not starting with C', () => {
    expect(isUnitsLine({ invoiceNo: '536365', quantity: 6, unitPrice: 2.55 })).toBe(true);
    expect(isUnitsLine({ invoiceNo: '536365', quantity: -6, unitPrice: 2.55 })).toBe(false);
    expect(isUnitsLine({ invoiceNo: '536365', quantity: 6, unitPrice: 0 })).toBe(false);
    expect(isUnitsLine({ invoiceNo: 'C536379', quantity: 6, unitPrice: 2.55 })).toBe(false);
    expect(isUnitsLine({ invoiceNo: 'c536379', quantity: 6, unitPrice: 2.55 })).toBe(false);
  });

  it('sums units per product and week, leaving out returns, free lines, cancellations and other weeks', () => {
    const b = new WeeklyUnitsBuilder('2011-09-05', 2);
    b.add(line('1', 'A', 6, 2.5, '2011-09-05T08:00:00'));
    b.add(line('2', 'A', 4, 2.5, '2011-09-11T17:00:00'));
    b.add(line('3', 'A', -3, 2.5, '2011-09-06T08:00:00'));
    b.add(line('4', 'A', 100, 0, '2011-09-06T08:00:00'));
    b.add(line('C5', 'A', 50, 2.5, '2011-09-06T08:00:00'));
    b.add(line('6', 'A', 3, 2.5, '2011-09-12T08:00:00'));
    b.add(line('7', 'B', 2, 1, '2011-09-13T08:00:00'));
    b.add(line('8', 'B', 9, 1, '2011-09-19T08:00:00')); // week 2: outside
    b.add(line('9', 'B', 9, 1, '2011-09-04T08:00:00')); // before the origin
    const units = b.build();
    expect([...units.series.keys()]).toEqual(['A', 'B']);
    expect(Array.from(units.series.get('A')!)).toEqual([10, 3]);
    expect(Array.from(units.series.get('B')!)).toEqual([0, 2]);
    expect(topProducts(units, 0, 2, 1)).toEqual(['A']);
    expect(topProducts(units, 1, 2, 5)).toEqual(['A', 'B']);
    expect(topProducts(units, 0, 1, 5)).toEqual(['A']); // B sold nothing in week 0
  });
});
