import { describe, expect, it } from 'vitest';
import { CATEGORIES, CATEGORY_LABELS, type Category } from '../../catalog-data/categories';
import { BRAND_RULES, DEFAULT_BRAND, brandOf } from '../../catalog-data/brands';
import { CATEGORY_RULES, categorize } from '../../catalog-data/categorize';
import { describeProduct, titleCase } from '../../catalog-data/product-text';

describe('categorize', () => {
  // Descriptions as the seed dataset spells them.
  const samples: [string, Category][] = [
    ['WHITE HANGING HEART T-LIGHT HOLDER', 'lighting'],
    ['WHITE METAL LANTERN', 'lighting'],
    ['SET/6 PURPLE BUTTERFLY T-LIGHTS', 'lighting'],
    ['SMALL BONNE JAM JAR T-LIGHT HOLDER', 'lighting'],
    ["PAPER CHAIN KIT 50'S CHRISTMAS ", 'christmas'],
    ['CHRISTMAS CRAFT LITTLE FRIENDS', 'christmas'],
    ['WOODEN ADVENT CALENDAR CREAM', 'christmas'],
    ['REGENCY CAKESTAND 3 TIER', 'kitchen-dining'],
    ['PACK OF 72 RETROSPOT CAKE CASES', 'kitchen-dining'],
    ['RED RETROSPOT MUG', 'kitchen-dining'],
    ['LUNCH BOX I LOVE LONDON', 'kitchen-dining'],
    ['SET OF 3 CAKE TINS PANTRY DESIGN ', 'kitchen-dining'],
    ['TEA TIME TABLE CLOTH', 'kitchen-dining'],
    ['JUMBO BAG RED RETROSPOT', 'bags'],
    ['LUNCH BAG RED RETROSPOT', 'bags'],
    ['RED RETROSPOT SHOPPER BAG', 'bags'],
    ['BLUE POLKADOT PURSE', 'bags'],
    ['ROMANTIC IMAGES GIFT WRAP SET', 'stationery'],
    ['PACK OF 12 COLOURED PENCILS', 'stationery'],
    ['FAIRY CAKE NOTEBOOK A5 SIZE', 'stationery'],
    ['CAT WITH SUNGLASSES BLANK CARD', 'stationery'],
    ['WOODLAND STICKERS', 'stationery'],
    ['PARTY BUNTING', 'party-gifts'],
    ['PINK PARTY BAGS', 'party-gifts'],
    ['EASTER TIN BUCKET', 'party-gifts'],
    ['RED SPOT GIFT BAG LARGE', 'party-gifts'],
    ['VINTAGE ZINC WATERING CAN', 'garden-outdoor'],
    ['DOORMAT RED RETROSPOT', 'garden-outdoor'],
    ['HERB MARKER THYME', 'garden-outdoor'],
    ['SPACEBOY BIRTHDAY CARD', 'stationery'],
    ['MINI JIGSAW SPACEBOY', 'toys-games'],
    ['BAG 125g SWIRLY MARBLES', 'toys-games'],
    ['PLAYING CARDS KEEP CALM & CARRY ON', 'toys-games'],
    ['CERAMIC STRAWBERRY MONEY BOX', 'toys-games'],
    ['WOODLAND STORAGE BOX LARGE', 'storage'],
    ['SET 3 WICKER STORAGE BASKETS', 'storage'],
    ['SWEETHEART CERAMIC TRINKET BOX', 'storage'],
    ['RED RETROSPOT WASHBAG', 'bathroom'],
    ['PACK OF 12 SKULL TISSUES', 'bathroom'],
    ['SCALLOP SHELL SOAP DISH', 'bathroom'],
    ['DIAMANTE NECKLACE BLACK', 'jewellery-accessories'],
    ['RUBY DROP CHANDELIER EARRINGS', 'jewellery-accessories'],
    ['BLUE POLKADOT PASSPORT COVER', 'jewellery-accessories'],
    ['LETTER "D" BLING KEY RING', 'jewellery-accessories'],
    ['RED RETROSPOT UMBRELLA', 'jewellery-accessories'],
    ['KNITTED UNION FLAG HOT WATER BOTTLE', 'textiles'],
    ['FRENCH FLORAL CUSHION COVER ', 'textiles'],
    ['POLYESTER FILLER PAD 40x40cm', 'textiles'],
    ['IVORY DINER WALL CLOCK', 'clocks'],
    ['ALARM CLOCK BAKELIKE RED ', 'clocks'],
    ['HOME SWEET HOME METAL SIGN', 'home-decor'],
    ['DIAMANTE HEART SHAPED WALL MIRROR, ', 'home-decor'],
    ['CREAM CUPID HEARTS COAT HANGER', 'home-decor'],
    ['RED STRIPE CERAMIC DRAWER KNOB', 'home-decor'],
    ['HANGING FAIRY CAKE DECORATION', 'home-decor'],
  ];

  it.each(samples)('%s → %s', (description, category) => {
    expect(categorize(description)).toBe(category);
  });

  it("falls back to 'other' when no rule matches", () => {
    expect(categorize('BOOMBOX IPOD CLASSIC')).toBe('other');
    expect(categorize('')).toBe('other');
  });

  it('is case- and spacing-insensitive', () => {
    expect(categorize('  white   hanging heart t-light holder ')).toBe('lighting');
    expect(categorize('Jumbo Bag Red Retrospot')).toBe('bags');
  });

  it('matches whole words only', () => {
    // 'MUG' inside 'SMUGGLER' or 'CARD' inside 'CARDIGAN' must not count.
    expect(categorize('SMUGGLER')).toBe('other');
    expect(categorize('CARDIGAN')).not.toBe('stationery');
  });

  it('names only known categories, and every category but other has a rule and a label', () => {
    const ruled = new Set(CATEGORY_RULES.map((r) => r.category));
    for (const rule of CATEGORY_RULES) expect(CATEGORIES).toContain(rule.category);
    for (const c of CATEGORIES) {
      if (c !== 'other') expect(ruled.has(c), c).toBe(true);
      expect(CATEGORY_LABELS[c]).toBeTruthy();
    }
  });
});

describe('brandOf', () => {
  it.each([
    ['REGENCY CAKESTAND 3 TIER', 'Regency'],
    ['JUMBO BAG RED RETROSPOT', 'Retrospot'],
    ['RED RETRO SPOT SHOPPER', 'Retrospot'],
    ['LUNCH BAG SPACEBOY DESIGN ', 'Spaceboy'],
    ['VINTAGE DOLLY GIRL LUNCH BOX', 'Dolly Girl'],
    ['SET OF 3 CAKE TINS PANTRY DESIGN ', 'Pantry'],
    ['WOODLAND CHARLOTTE BAG', 'Woodland'],
    ['LUNCH BAG BLACK SKULL.', 'Skull'],
    ['JUMBO BAG PINK VINTAGE PAISLEY', 'Paisley'],
    ['CHARLIE+LOLA RED HOT WATER BOTTLE', 'Charlie and Lola'],
    ['VINTAGE SNAP CARDS', 'Vintage'],
  ])('%s → %s', (description, brand) => {
    expect(brandOf(description)).toBe(brand);
  });

  it("falls back to 'ECI Home'", () => {
    expect(brandOf('WHITE HANGING HEART T-LIGHT HOLDER')).toBe(DEFAULT_BRAND);
    expect(DEFAULT_BRAND).toBe('ECI Home');
  });

  it('gives title-case collection names', () => {
    for (const { brand } of BRAND_RULES) expect(brand).toMatch(/^[A-Z][a-z]+(?: (?:[A-Z][a-z]+|and|of|du))*$/);
  });
});

describe('titleCase', () => {
  it.each([
    ['WHITE HANGING HEART T-LIGHT HOLDER', 'White Hanging Heart T-Light Holder'],
    ['SET/6 PURPLE BUTTERFLY T-LIGHTS', 'Set/6 Purple Butterfly T-Lights'],
    ['S/4 IVORY MINI ROSE CANDLE IN BOWL', 'S/4 Ivory Mini Rose Candle in Bowl'],
    ['PACK OF 72 RETROSPOT CAKE CASES', 'Pack of 72 Retrospot Cake Cases'],
    ['FAIRY CAKE NOTEBOOK A5 SIZE', 'Fairy Cake Notebook A5 Size'],
    ['POLYESTER FILLER PAD 40x40cm', 'Polyester Filler Pad 40x40cm'],
    ['BAG 125g SWIRLY MARBLES', 'Bag 125g Swirly Marbles'],
    ['SUNJAR LED NIGHT NIGHT LIGHT', 'Sunjar LED Night Night Light'],
    ["PAPER CHAIN KIT 50'S CHRISTMAS ", "Paper Chain Kit 50's Christmas"],
    ["NEW BAROQUE B'FLY NECKLACE RED", "New Baroque B'fly Necklace Red"],
    ['LETTER "D" BLING KEY RING', 'Letter "D" Bling Key Ring'],
    ['SET 3 RETROSPOT TEA,COFFEE,SUGAR', 'Set 3 Retrospot Tea, Coffee, Sugar'],
    ['PAPER CRAFT , LITTLE BIRDIE', 'Paper Craft, Little Birdie'],
    ['RED  RETROSPOT   MUG ', 'Red Retrospot Mug'],
    ['*USB Office Mirror Ball', 'USB Office Mirror Ball'],
    ['OF MICE AND MEN', 'Of Mice and Men'],
  ])('%s → %s', (description, name) => {
    expect(titleCase(description)).toBe(name);
  });

  it('drops characters a catalog text field rejects', () => {
    expect(titleCase('BIG <B>BOLD</B>\tMUG')).toBe('Big B Bold /B Mug');
  });
});

describe('describeProduct', () => {
  it('builds a sentence from the name and category, naming the collection when there is one', () => {
    expect(describeProduct('White Hanging Heart T-Light Holder', 'lighting')).toBe(
      'White Hanging Heart T-Light Holder — from our Lighting range.',
    );
    expect(describeProduct('Regency Cakestand 3 Tier', 'kitchen-dining', 'Regency')).toBe(
      'Regency Cakestand 3 Tier — from our Kitchen & Dining range. Part of the Regency collection.',
    );
    expect(describeProduct('Mystery Parcel', 'other', 'ECI Home')).toBe('Mystery Parcel — from our gift shop.');
  });
});
