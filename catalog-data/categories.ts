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

/** How the shop names each category to shoppers. */
export const CATEGORY_LABELS: Record<Category, string> = {
  christmas: 'Christmas',
  lighting: 'Lighting',
  'kitchen-dining': 'Kitchen & Dining',
  bags: 'Bags',
  stationery: 'Stationery',
  'party-gifts': 'Party & Gifts',
  'garden-outdoor': 'Garden & Outdoor',
  'toys-games': 'Toys & Games',
  storage: 'Storage',
  bathroom: 'Bathroom',
  'jewellery-accessories': 'Jewellery & Accessories',
  textiles: 'Textiles',
  clocks: 'Clocks',
  'home-decor': 'Home Decor',
  other: 'Gifts & Curiosities',
};
