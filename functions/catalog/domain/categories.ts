/**
 * The catalog's categories. Seeded products get theirs from keyword rules over the description
 * (first matching rule wins); API writes must name one of these.
 */
export const CATEGORIES = [
  'christmas',
  'lighting',
  'kitchen-dining',
  'bags',
  'stationery',
  'party-gifts',
  'garden-outdoor',
  'toys-games',
  'storage',
  'bathroom',
  'jewellery-accessories',
  'textiles',
  'clocks',
  'home-decor',
  'other',
] as const;

export type Category = (typeof CATEGORIES)[number];
