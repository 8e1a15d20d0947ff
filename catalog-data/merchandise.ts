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
