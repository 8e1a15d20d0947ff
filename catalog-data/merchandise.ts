/**
 * Which invoice lines bill goods: the dataset also bills postage, fees, manual adjustments, samples and
 * vouchers, which are neither products of the catalog nor purchases a model should learn from.
 */

/** Codes that bill something other than goods: postage, fees, manual adjustments, samples, vouchers. */
const NON_MERCHANDISE_CODES = new Set([
  'POST',
  'DOT',
  'M',
  'D',
  'C2',
  'CRUK',
  'BANK CHARGES',
  'AMAZONFEE',
  'PADS',
  'S',
  'B',
]);
/** Descriptions of such lines under ordinary-looking codes (e.g. 23444 'Next Day Carriage', 22016 a voucher). */
const NON_MERCHANDISE_DESCRIPTION =
  /GIFT ?VOUCHER|^(NEXT DAY )?CARRIAGE$|POSTAGE|PACKING CHARGE|HIGH RESOLUTION IMAGE|^(EBAY|AMAZON( FEE)?|MANUAL|DISCOUNT|SAMPLES|BANK CHARGES|ADJUST BAD DEBT)$|COMMISSION$/i;

/**
 * Whether a code is goods. Letter-only codes are the shop's service codes (postage, fees, adjustments),
 * except the web shop's own 'DCGS…' items (party bags); 'gift_0001_*' are vouchers.
 */
export function isMerchandiseCode(stockCode: string): boolean {
  const code = stockCode.trim().toUpperCase();
  if (code === '' || NON_MERCHANDISE_CODES.has(code)) return false;
  if (code.startsWith('GIFT_')) return false;
  if (!/\d/.test(code) && !code.startsWith('DCGS')) return false;
  return true;
}

export const isMerchandiseDescription = (description: string): boolean =>
  !NON_MERCHANDISE_DESCRIPTION.test(description.trim());

/**
 * Whether an invoice or order line bills goods: its code is a product code and its description names no
 * service. The one rule for a line, wherever one is classified: the history replay's report
 * (lib/local/history/mapping.ts) and the warehouse's sales facts (functions/analytics/domain/load.ts), so that
 * what the replay says it wrote as postage and fees is what the analytics API counts as such.
 */
export const isMerchandiseLine = (stockCode: string, description: string): boolean =>
  isMerchandiseCode(stockCode) && isMerchandiseDescription(description);
