/**
 * A product's display name and shop description from the dataset's upper-case description.
 */
import { CATEGORY_LABELS, type Category } from './categories';
import { DEFAULT_BRAND } from './brands';

/** Words kept in capitals. */
const ACRONYMS = new Set([
  'LED',
  'UK',
  'USA',
  'US',
  'DIY',
  'ABC',
  'CD',
  'DVD',
  'USB',
  'TV',
  'OK',
  'PVC',
  'GB',
  'NY',
  'II',
  'III',
  'IV',
  'XL',
  'XXL',
  'RSPB',
  'WW2',
  'WWII',
  'HRH',
  'WC',
  'VIP',
  'MOP',
]);
/** Words in lower case unless first or last. */
const MINOR_WORDS = new Set(['OF', 'AND', 'IN', 'WITH', 'FOR', 'ON', 'THE', 'TO', 'AT', 'BY', 'OR', 'FROM', 'AN']);
/** Units after a number, kept in lower case: '20cm', '125g', '40x40cm'. */
const MEASURE = /^(\d+(?:\.\d+)?)((?:X\d+(?:\.\d+)?)*)(CM|MM|M|G|KG|ML|L|LTR|OZ|IN|INCH|PCS?)?$/;

function titleWord(word: string, first: boolean, last: boolean): string {
  const upper = word.toUpperCase();
  if (ACRONYMS.has(upper)) return upper;
  const measure = MEASURE.exec(upper);
  if (measure) return upper.toLowerCase();
  if (/^\d+'S$/.test(upper)) return upper.toLowerCase(); // decades: "50's"
  if (/\d/.test(upper)) return upper; // codes and sizes: 'A5', '3D', 'S4'
  if (!first && !last && MINOR_WORDS.has(upper)) return upper.toLowerCase();
  return upper.charAt(0) + upper.slice(1).toLowerCase();
}

/**
 * A description as a display name: words capitalised ('WHITE HANGING HEART T-LIGHT HOLDER' → 'White
 * Hanging Heart T-Light Holder'), hyphen and slash parts too ('T-Light', 'S/4', 'Set/6'), minor words
 * lower-cased ('Set of 3'), acronyms and sizes kept ('LED', '20cm', 'A5'), spacing tidied, characters a
 * catalog text field rejects ('<', '>', controls) removed.
 */
export function titleCase(description: string): string {
  const cleaned = description
    .replace(/[\u0000-\u001f\u007f-\u009f<>]/g, ' ')
    .replace(/^[\s*]+/, '')
    .replace(/\s+,/g, ',')
    .replace(/,(?=\S)/g, ', ')
    .replace(/\s+/g, ' ')
    .trim();
  const words = [...cleaned.matchAll(/[A-Za-z0-9]+(?:['’][A-Za-z0-9]+)*/g)];
  let out = '';
  let at = 0;
  words.forEach((m, i) => {
    const start = m.index;
    out += cleaned.slice(at, start);
    const before = cleaned.charAt(start - 1);
    const afterSeparator = before === '-' || before === '/' || before === '"' || before === '(' || before === '+';
    out +=
      before === '.' && /^com$/i.test(m[0])
        ? 'com'
        : titleWord(m[0], i === 0 || afterSeparator, i === words.length - 1);
    at = start + m[0].length;
  });
  return out + cleaned.slice(at);
}

/** A one-sentence shop description: 'White Hanging Heart T-Light Holder — from our Lighting range.' */
export function describeProduct(name: string, category: Category, brand?: string): string {
  const range = category === 'other' ? 'from our gift shop.' : `from our ${CATEGORY_LABELS[category]} range.`;
  const collection = brand && brand !== DEFAULT_BRAND ? ` Part of the ${brand} collection.` : '';
  return `${name} — ${range}${collection}`;
}
