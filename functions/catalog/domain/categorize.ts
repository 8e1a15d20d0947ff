/**
 * Category, collection ("brand") and display name for a product from its free-text description. Pure
 * keyword rules, written against the seed dataset's descriptions (upper-case gift-shop lines such as
 * 'WHITE HANGING HEART T-LIGHT HOLDER'); they work on any description.
 */
import type { Category } from './categories';

export interface CategoryRule {
  category: Category;
  /** Keywords or short regex fragments, matched as whole words against the upper-cased description. */
  keywords: string[];
  /** Checked before the keywords: when one matches, this rule does not apply. */
  unless?: string[];
}

/**
 * Ordered: the first rule with a matching keyword wins, 'other' when none does. Seasonal themes come
 * first (a Christmas mug belongs to Christmas), then specific phrases that would otherwise be caught by
 * a broader word later on (a lunch bag is a bag, a cake stand is tableware, a gift bag is wrapping),
 * then product nouns.
 */
export const CATEGORY_RULES: CategoryRule[] = [
  {
    category: 'christmas',
    keywords: [
      'CHRISTMAS', 'XMAS', 'X-MAS', 'ADVENT', 'SANTA', 'REINDEER', 'SNOWFLAKES?', 'SNOWMAN', 'SNOW ?GLOBE', 'BAUBLES?',
      'NATIVITY', 'JINGLE BELLS?', 'YULETIDE', 'NOEL', 'STOCKING', 'GINGERBREAD', 'HOLLY', 'MISTLETOE', 'FESTIVE',
      'CRACKERS?', 'ELF', 'TREE DECORATION', 'CHRISTMAS TREE', 'STAR TREE TOP', 'TREE TOP', 'ANGEL', 'POINSETTIA',
      'CHOCOLATE CALENDAR',
    ],
  },
  // Phrases a later, broader keyword would misfile.
  { category: 'bags', keywords: ['LUNCH BAGS?', 'JUMBO BAGS?', 'JUMBO SHOPPER', 'JUMBO STORAGE BAG', 'SHOPPING BAG', 'TOTE BAG', 'BEACH BAG', 'PICNIC BAG', 'CHARLOTTE BAG', 'SHOULDER BAG', 'BEACH HUT BAG'] },
  { category: 'party-gifts', keywords: ['GIFT BAGS?', 'PARTY BAGS?', 'GIFT WRAP BAG', 'CAKE (?:CASES?|FORKS?|TINS?) .*PARTY', 'PARTY (?:CONES|INVITES|PLATES|CUPS|NAPKINS|STRAWS|CANDLES)'] },
  { category: 'kitchen-dining', keywords: ['CAKE ?STANDS?', 'CAKE CASES?', 'TEA ?SETS?', 'TEA COSY', 'TEA TOWELS?', 'OVEN GLOVES?', 'APRONS?', 'CHOPPING BOARD', 'LUNCH ?BOX(?:ES)?', 'SNACK BOX(?:ES)?', 'MEASURING', 'EGG CUPS?', 'EGG ?BEATER', 'BISCUIT TIN', 'CAKE TINS?', 'BREAD BIN', 'STORAGE JAR', 'JAM JAR', 'MILK JUG', 'PLACEMATS?', 'PLACE ?SETTING', 'COASTERS?', 'TABLE ?CLOTH', 'TABLE RUNNER'] },
  { category: 'lighting', keywords: ['CANDLE ?HOLDERS?', 'T-? ?LIGHTS?', 'TEA ?LIGHTS?', 'NIGHT ?LIGHTS?', 'LIGHT GARLAND', 'STRING LIGHTS?', 'FAIRY LIGHTS?'] },
  { category: 'toys-games', keywords: ['MARBLES', 'PLAYING CARDS', 'SNAP CARDS', 'CARD GAME', 'TOY', 'TOYS', 'JIGSAWS?', 'PUZZLES?', 'GAMES?', 'DOMINOES', 'SPINNING TOPS?', 'SKIPPING ROPE', 'KITS?(?=.*(?:CHILD|KIDS))', 'COLOURING', 'CRAYONS', 'TEDDY', 'SOFT TOYS?', 'DOLLS?', 'DOLLY(?! GIRL)', 'RAG DOLL', 'PUPPETS?', 'HAND PUPPET', 'KITES?', 'BUBBLES', 'YO-?YO', 'SPACE ?BOY .*(?:KIT|BOX|SET)', 'BALLOONS?', 'WATER PISTOL', 'PISTOL', 'SPACE ?SHIP', 'ROCKET', 'DINOSAURS?', 'ANIMALS? SET', 'FARM ANIMAL', 'NINJA', 'MAGIC', 'TRAIN', 'FLYING SAUCER', 'HELICOPTER', 'PLAYHOUSE', 'DOLLS ?HOUSE', 'MONEY BOX', 'PIGGY BANK', 'STICKY GECKO', 'BEANBAG', 'BINGO', 'SCRABBLE', 'LUDO', 'NOUGHTS', 'CHESS', 'BOOMERANG', 'STRESS BALL', 'HOPSCOTCH', 'FRISBEE', 'SKITTLES', 'LITTLE BIRDIE', 'ABC', 'ALPHABET BLOCKS', 'BUILDING BLOCK', 'STACKING'] },
  { category: 'lighting', keywords: ['LANTERNS?', 'CANDLES?', 'CANDLESTICKS?', 'CANDLEHOLDER', 'LIGHTS', 'LIGHT', 'LAMPS?', 'LAMPSHADE', 'CHANDELIER', 'OIL BURNER', 'TEALIGHT', 'LED', 'TORCH', 'SUNJAR', 'INCENSE', 'SCENTED', 'FRAGRANCE', 'OIL', 'NIGHTLIGHT', 'LUMINOUS'], unless: ['LIGHT (?:BLUE|PINK|GREEN)'] },
  {
    category: 'kitchen-dining',
    keywords: [
      'MUGS?', 'CUPS?', 'SAUCERS?', 'PLATES?', 'BOWLS?', 'CAKES?', 'CUPCAKES?', 'BAKING', 'BAKE', 'TEA', 'TEAPOT', 'TEACUP',
      'TEATIME', 'COFFEE', 'JAM', 'JAMS', 'SPOONS?', 'TEASPOONS?', 'TRAYS?', 'CUTLERY', 'FORKS?', 'KNIFE', 'KNIVES',
      'NAPKINS?', 'BEAKERS?', 'JUGS?', 'GLASS(?:ES)?(?= .*(?:DRINK|WINE|SHOT|TUMBLER))', 'TUMBLERS?', 'DRINKING',
      'WINE', 'BOTTLE OPENER', 'CORKSCREW', 'BOTTLES?(?! OF)', 'FLASKS?', 'DISH', 'DISHES', 'PAN', 'FRYING PAN',
      'SAUCEPAN', 'KITCHEN', 'PANTRY', 'RECIPE', 'COOKIE', 'BISCUITS?', 'BISCUIT CUTTERS?', 'CUTTERS?', 'MOULDS?',
      'CHOCOLATE', 'SWEETIES?', 'SWEETS', 'CANDY', 'POPCORN', 'SUGAR', 'BREAD', 'BREAKFAST', 'DINNER', 'LUNCH',
      'PICNIC', 'FOOD', 'SNACK', 'EGG', 'EGGS', 'SALT', 'PEPPER', 'HONEY', 'MILK', 'BUTTER', 'TOAST', 'ICE ?CREAM',
      'LOLLY', 'LOLLIES', 'STRAWS?', 'DOILY', 'DOILIES', 'DOILEY', 'PARTY ?CUPS', 'CAKESTAND', 'PLATTER', 'SERVING',
      'COLANDER', 'WHISK', 'SPATULA', 'LADLE', 'SIEVE', 'GRATER', 'TIMER', 'SCALES', 'PUDDING', 'PIE', 'JELLY',
      'DESSERT', 'TRIFLE', 'CHEESE', 'CRUET', 'DECANTER', 'CARAFE', 'GOBLET', 'CHAMPAGNE', 'COCKTAIL', 'COASTER',
      'WASHING UP', 'DRYING', 'TEA TOWEL', 'STORAGE TINS?', 'TINS? (?:OF|FOR) (?:TEA|COFFEE|SUGAR|BISCUITS)', 'JARS?',
      'CANISTERS?', 'SCOOP', 'TONGS', 'ROLLING PIN', 'PASTRY', 'MUFFIN', 'MADELEINE', 'ICING', 'PIZZA', 'FRUIT BOWL',
      'BEER', 'HIP FLASK', 'THERMOS', 'CHOPSTICKS', 'NUTCRACKER', 'GRINDER', 'MILL', 'OVEN', 'FRIDGE', 'CONDIMENT',
      'DINER', 'SUSHI', 'CANTEEN', 'WATER BOTTLES?', 'DRINKS?', 'CAFE', 'PATISSERIE',
    ],
    unless: ['HOT WATER BOTTLE', 'FRIDGE MAGNETS?', 'TEA ?LIGHT'],
  },
  { category: 'bags', keywords: ['BAGS?', 'SHOPPERS?', 'PURSES?', 'HANDBAGS?', 'BACKPACKS?', 'RUCKSACK', 'SATCHEL', 'TOTE', 'WALLETS?', 'HOLDALL', 'DUFFLE', 'CLUTCH', 'COIN PURSE', 'POUCH'], unless: ['WASHBAG', 'WASH BAG', 'SPONGE BAG', 'TEA BAG', 'BEAN ?BAG', 'BAG CHARM', 'BAG CLIP'] },
  { category: 'bathroom', keywords: ['BATHROOM', 'BATH', 'SOAPS?', 'SOAP DISH', 'TOWELS?', 'FLANNELS?', 'WASH ?BAGS?', 'SPONGE BAG', 'TOILET', 'LOO', 'SHOWER', 'TOOTHBRUSH', 'TOOTHPASTE', 'SPONGE', 'TOILETRY', 'TOILETRIES', 'HAND CREAM', 'LIP ?BALM', 'BALM', 'LOTION', 'PLASTERS', 'FIRST AID', 'BATHROOM SCALES', 'COTTON WOOL', 'NAIL', 'MANICURE', 'VANITY', 'MAKE ?UP', 'COSMETIC', 'TISSUES', 'TISSUE BOX', 'BUBBLE BATH', 'BODY', 'SHAVING', 'RAZOR', 'COMB', 'HAIRBRUSH', 'DRESSING TABLE'] },
  {
    category: 'jewellery-accessories',
    keywords: [
      'NECKLACES?', 'NECKL', 'BRACELETS?', 'BANGLES?', 'EARRINGS?', 'RINGS?', 'CHARMS?', 'BROOCH(?:ES)?', 'PENDANTS?', 'BEADS?',
      'BEADED', 'JEWELLERY', 'JEWELRY', 'JEWELLED', 'DIAMANTE', 'TIARA', 'HAIR ?CLIPS?', 'HAIR ?BANDS?', 'HAIR ?GRIPS?',
      'HAIR ?SLIDES?', 'HAIR ?COMBS?', 'HAIR ?TIES?', 'HAIR', 'HAIRCLIP', 'HAIRBAND', 'HEADBAND', 'SCRUNCHIE', 'KEY ?RINGS?',
      'KEYRINGS?', 'KEY ?CHAIN', 'KEY ?FOBS?', 'SUNGLASSES', 'UMBRELLAS?', 'PARASOL', 'SCARF', 'SCARVES', 'GLOVES?',
      'MITTENS', 'HATS?', 'CAP', 'BERET', 'BELT', 'CUFFLINKS', 'WATCH', 'COMPACT MIRROR', 'POCKET MIRROR', 'PHONE CHARM',
      'PHONE CASE', 'PASSPORT', 'LUGGAGE TAGS?', 'CARD HOLDER', 'GLASSES CASE', 'SPECTACLE', 'SLIPPERS', 'SOCKS',
      'PONCHO', 'RAIN ?COAT', 'WELLIES', 'WELLINGTON', 'CHOKER', 'LARIAT', 'AMETHYST', 'PEARL', 'CRYSTAL DROP',
      'SEQUIN', 'FLOWER CORSAGE', 'CORSAGE', 'SHAWL', 'BOUDICCA', 'MURANO', 'FILIGREE', 'CHUNKY', 'JEWEL', 'BLING',
      'BAG CHARM', 'TRAVEL CARD', 'BADGES?', 'PURSE MIRROR', 'HAND WARMER', 'EAR MUFFS',
    ],
  },
  {
    category: 'stationery',
    keywords: [
      'CARDS?', 'NOTEBOOKS?', 'NOTE ?BOOK', 'NOTEPAD', 'NOTE ?PAD', 'PENCILS?', 'PENS?', 'WRAP', 'WRAPPING', 'STICKERS?',
      'PAPER', 'ENVELOPES?', 'TAPE', 'CALENDAR', 'DIARY', 'DIARIES', 'JOURNAL', 'SKETCH ?BOOK', 'SCRAP ?BOOK', 'ERASERS?',
      'RUBBERS?', 'RULER', 'SHARPENER', 'BOOKMARKS?', 'POSTCARDS?', 'TAGS?', 'LABELS?', 'RIBBONS?', 'REEL', 'TISSUE',
      'STATIONERY', 'LETTER ?WRITING', 'WRITING SET', 'CHALK', 'MARKERS?', 'FELT PENS', 'CRAYON', 'STAMPS?', 'INK',
      'SCISSORS', 'STAPLER', 'PAPERWEIGHT', 'MEMO', 'MEMOBOARD', 'MEMO BOARD', 'ADDRESS BOOK', 'PHOTO ALBUM', 'ALBUM',
      'BOOK', 'BOOKS', 'ORIGAMI', 'PEN ?POT', 'DESK', 'OFFICE', 'CLIPBOARD', 'FOLDER', 'FILE', 'PAPER CLIPS?', 'BULLDOG',
      'GREETING', 'INVITES?', 'INVITATIONS?', 'COLOURING PENCILS', 'BIRTHDAY CARD', 'LIST', 'PLANNER', 'PAD',
    ],
    unless: ['CARD HOLDER', 'CARDHOLDER', 'PAPER ?(?:LANTERN|CHAIN|BUNTING|PLATES?|CUPS?|NAPKINS?|BALLS?|FAN)', 'KEY ?RING', 'FILLER PAD', 'KNEELING PAD', 'MOUSE PAD'],
  },
  {
    category: 'party-gifts',
    keywords: [
      'PARTY', 'BIRTHDAY', 'BUNTING', 'BALLOONS?', 'CONFETTI', 'PINATA', 'STREAMERS?', 'PAPER CHAIN', 'CHAIN KIT',
      'EASTER', 'VALENTINE', 'WEDDING', 'BRIDE', 'CELEBRATION', 'CONGRATULATIONS', 'GIFT SETS?', 'GIFT BOX(?:ES)?',
      'GIFT', 'GIFTS', 'PRESENT', 'FANCY DRESS', 'MASK', 'HALLOWEEN', 'PAPER LANTERN', 'PAPER FAN', 'PAPER BALLS?',
      'HONEYCOMB', 'POM ?POM', 'WHISTLE', 'PARTY HATS', 'SPARKLER', 'CAKE CANDLES', 'NUMBER CANDLE', 'HEN', 'CHICKS?',
      'BUNNY', 'BUNNIES', 'LOVEBIRDS?', 'FAVOURS?', 'CONES', 'HAMPER',
    ],
  },
  {
    category: 'garden-outdoor',
    keywords: [
      'GARDEN', 'GARDENERS?', 'GARDENING', 'BIRD ?FEEDERS?', 'BIRD ?HOUSES?', 'BIRD ?TABLE', 'BIRD ?BATH', 'NESTING BOX',
      'DOVECOTE', 'WATERING CAN', 'WATERING', 'PLANT(?:ER|ERS|S)?', 'POTS?', 'FLOWER ?POTS?', 'PLANT POT', 'HERB', 'HERBS',
      'SEEDS?', 'SEED', 'TROWEL', 'SPADE', 'FORK AND TROWEL', 'KNEELING', 'GREENHOUSE', 'SHED', 'HOSE', 'WIND ?CHIMES?',
      'WINDMILL', 'WEATHER ?VANE', 'THERMOMETER', 'OUTDOOR', 'PATIO', 'PICNIC BLANKET', 'DECK ?CHAIR', 'HAMMOCK',
      'BEACH', 'SANDCASTLE', 'BUCKET AND SPADE', 'BUCKETS?', 'GNOME', 'TOADSTOOL', 'BIRDHOUSE', 'FEEDER', 'HEN HOUSE',
      'CHICKEN', 'GLOVES GARDEN', 'SUNDIAL', 'FLOWER FAIRY', 'CLOCHE', 'TERRARIUM', 'TERRACOTTA', 'ZINC', 'WICKER',
      'DOORMATS?', 'DOOR MAT', 'MAT', 'UMBRELLA STAND', 'PEG', 'PEGS', 'CLOTHES PEGS', 'WASHING LINE', 'BICYCLE', 'BIKE',
      'CAMPING', 'CAMPER', 'TENT', 'FLAG', 'WINDBREAK', 'TRELLIS', 'OBELISK', 'WILDFLOWER', 'SUNFLOWER', 'BULBS',
    ],
  },
  {
    category: 'storage',
    keywords: [
      'STORAGE', 'BOX(?:ES)?', 'BASKETS?', 'DRAWERS?', 'CABINET', 'CHEST', 'CRATES?', 'TRUNK', 'CASE', 'CASES',
      'CADDY', 'CONTAINERS?', 'ORGANISER', 'ORGANIZER', 'TIDY', 'TINS?', 'HAMPERS?', 'BIN', 'BINS', 'TUB', 'TUBS',
      'PEG BAG', 'HOLDALL', 'SHOE ?BOX', 'HAT BOX', 'TRINKET', 'KEEPSAKE', 'STACKING', 'NEST OF', 'MAGAZINE RACK',
      'RACK', 'SHELF', 'SHELVES', 'UNIT', 'CUBBY', 'CUBE', 'POUFFE', 'LOCKER', 'SAFE', 'MONEY TIN', 'CASH BOX',
    ],
  },
  {
    category: 'textiles',
    keywords: [
      'CUSHIONS?', 'CUSHION COVERS?', 'COVERS?', 'THROWS?', 'BLANKETS?', 'QUILTS?', 'QUILTED', 'PATCHWORK', 'FABRIC',
      'FELT', 'CURTAINS?', 'CROCHET', 'KNITTED', 'KNIT', 'KNITTING', 'WOOL', 'WOOLLY', 'COTTON', 'LINEN', 'CANVAS',
      'LACE', 'EMBROIDERED', 'EMBROIDERY', 'SEWING', 'HOT WATER BOTTLES?', 'FILLER PADS?', 'PILLOWS?', 'PILLOWCASES?',
      'DUVET', 'BEDSPREAD', 'RUG', 'RUGS', 'RAG', 'TABLE CLOTH', 'HANDKERCHIEF', 'BUTTONS?', 'THREAD', 'NEEDLE',
      'PINCUSHION', 'TAPESTRY', 'VELVET', 'SILK', 'SATIN', 'FLEECE', 'DRAUGHT EXCLUDER', 'BEANBAG', 'POUFFE', 'FELTCRAFT',
      'TEA COSY', 'COSY', 'SLEEPING BAG', 'HAMMOCK', 'TOWEL', 'BIB', 'BIBS', 'ROMPER', 'BABY GROW', 'PYJAMAS', 'DRESS',
      'T-SHIRT', 'TEXTILE', 'CROCHET FLOWER',
    ],
  },
  { category: 'clocks', keywords: ['CLOCKS?', 'ALARM', 'WALL CLOCK', 'TIMEPIECE', 'HOURGLASS', 'EGG TIMER'] },
  {
    category: 'home-decor',
    keywords: [
      'FRAMES?', 'PHOTO', 'PICTURE', 'MIRRORS?', 'MIRRORED', 'SIGNS?', 'PLAQUES?', 'WALL ART', 'ART', 'DECORATIONS?',
      'DECORATIVE', 'DOORSTOPS?', 'DOOR ?STOP', 'HOOKS?', 'COAT HANGERS?', 'HANGERS?', 'HANGING', 'VASES?', 'ORNAMENTS?',
      'HEARTS?', 'GARLANDS?', 'WREATHS?', 'MAGNETS?', 'FRIDGE MAGNETS?', 'KNOBS?', 'DOOR KNOB', 'DRAWER KNOB', 'TILES?',
      'WALL STICKERS?', 'MOBILE', 'CHIMES?', 'BELLS?', 'ARTIFICIAL', 'FLOWERS?', 'FLOWER', 'STEMS?', 'BLOSSOM', 'ROSES?',
      'CHALKBOARD', 'BLACKBOARD', 'BOARD', 'LETTERS?', 'NUMBERS?', 'FIGURINES?', 'STATUE', 'BUST', 'SCULPTURE',
      'ORNAMENTAL', 'BUNTING', 'BIRDS?', 'BUTTERFLY', 'BUTTERFLIES', 'FEATHERS?', 'DOOR HANGER', 'WALL', 'HOME',
      'SWEET HOME', 'HOUSE', 'COTTAGE', 'CHANDELIER', 'CANDELABRA', 'SHELL', 'SHELLS', 'PEBBLES?', 'STONES?', 'DRIFTWOOD',
      'POMANDER', 'POT POURRI', 'POTPOURRI', 'LAVENDER', 'SACHET', 'SCENT', 'DOME', 'CLOCHE', 'GLOBE', 'MAP', 'PRINTS?',
      'POSTER', 'CANVAS', 'PAINTING', 'STICKER', 'WALLPAPER', 'HEART OF', 'DOOR', 'WINDOW', 'SPIRAL', 'STAR', 'STARS',
      'BOTTLE', 'CAT', 'DOG', 'CHICKEN', 'RABBIT', 'OWL', 'HORSE', 'DOVE', 'ELEPHANT', 'MONKEY', 'PIG', 'FROG', 'DUCK',
      'SHEEP', 'COW', 'BEAR', 'FISH', 'SNAIL', 'HEDGEHOG', 'SQUIRREL', 'MOUSE', 'FOX', 'BIRDIE', 'DRAGONFLY', 'LADYBIRD',
      'ANGEL', 'FAIRY', 'MERMAID', 'SKULL', 'SWAN', 'PARROT', 'PEACOCK', 'FLAMINGO', 'BUDDHA', 'LOVE', 'WIRE', 'HANGER',
      'CURTAIN TIE', 'TIE ?BACK', 'WIND ?CHIME', 'SUNCATCHER', 'DREAMCATCHER', 'PLANTER', 'GLASS', 'CERAMIC', 'PORCELAIN',
      'ENAMEL', 'METAL', 'WOODEN', 'WOOD', 'IRON', 'TIN SIGN', 'BUNNY', 'EGG',
    ],
  },
];

const escapeFree = (k: string) => k; // keywords are regex fragments already
const wordRegex = (fragments: string[]) => new RegExp(`(?<![A-Z0-9])(?:${fragments.map(escapeFree).join('|')})(?![A-Z0-9])`);

const COMPILED = CATEGORY_RULES.map((rule) => ({
  category: rule.category,
  match: wordRegex(rule.keywords),
  unless: rule.unless ? wordRegex(rule.unless) : undefined,
}));

/** Upper case, '&' and '+' spaced out, single spaces: what the rules match against. */
export const normaliseDescription = (description: string) =>
  description
    .toUpperCase()
    .replace(/[,;:]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

/** The category for a product description: the first rule with a matching keyword, 'other' when none does. */
export function categorize(description: string): Category {
  const text = normaliseDescription(description);
  for (const rule of COMPILED) {
    if (rule.unless?.test(text)) continue;
    if (rule.match.test(text)) return rule.category;
  }
  return 'other';
}

/* ------------------------------------------------------------------------------------------------ */
/* Collections ("brands")                                                                           */
/* ------------------------------------------------------------------------------------------------ */

export const DEFAULT_BRAND = 'ECI Home';

/**
 * Recurring design lines in the descriptions, each the collection a product is sold under. Ordered:
 * named designs before generic styles (a 'VINTAGE DOLLY GIRL' item belongs to Dolly Girl).
 */
export const BRAND_RULES: { brand: string; pattern: RegExp }[] = [
  ['Dolly Girl', 'DOLLY ?GIRL'],
  ['Spaceboy', 'SPACE ?BOY'],
  ['Charlie and Lola', 'CHARLIE ?(?:\\+|&|AND)? ?LOLA'],
  ['Regency', 'REGENCY'],
  ['Retrospot', 'RETRO ?SPOT'],
  ['Woodland', 'WOODLAND'],
  ['Pantry', 'PANTRY'],
  ['Skull', 'SKULLS?'],
  ['Paisley', 'PAISLEY'],
  ['Babushka', 'BABUSHKA'],
  ['Feltcraft', 'FELTCRAFT'],
  ['Circus Parade', 'CIRCUS PARADE'],
  ['Tutti Frutti', 'TUTTI FRUTTI'],
  ['Red Toadstool', 'TOADSTOOL'],
  ['English Rose', 'ENGLISH ROSE'],
  ['Union Jack', 'UNION (?:JACK|FLAG)|UNION JACK'],
  ['Jam Making', 'JAM MAKING|HOMEMADE JAM'],
  ['Love Birds', 'LOVE ?BIRDS?|LOVEBIRDS?'],
  ['Sweetheart', 'SWEETHEART'],
  ['Baroque', 'BAROQUE'],
  ['Botanical', 'BOTANICAL'],
  ['Folk Art', 'FOLK ?ART'],
  ['Gingham', 'GINGHAM'],
  ['Polkadot', 'POLKA ?DOTS?|POLKADOT'],
  ['Boudicca', 'BOUDICCA'],
  ['Murano', 'MURANO'],
  ['Edwardian', 'EDWARDIAN'],
  ['Victorian', 'VICTORIAN'],
  ['Dinosaur', 'DINOSAURS?'],
  ['Strawberry', 'STRAWBERRY'],
  ['Cherry Blossom', 'CHERRY BLOSSOM|BLOSSOM'],
  ['Daisy', 'DAISY|DAISIES'],
  ['Hen House', 'HEN HOUSE|CHICKEN'],
  ['Apothecary', 'APOTHECARY'],
  ['Parisienne', 'PARIS|PARISIENNE'],
  ['London', 'LONDON'],
  ['French Country', 'FRENCH'],
  ['Cottage Garden', 'COTTAGE GARDEN|COTTAGE'],
  ['Kings Choice', "KINGS? CHOICE|KING'S CHOICE"],
  ['Doily', 'DOILY|DOILIES|DOILEY'],
  ['Suki', 'SUKI'],
  ['Orbit', 'ORBIT'],
  ['Diamante', 'DIAMANTE'],
  ['Bling', 'BLING'],
  ['Bird Song', 'BIRD ?SONG|SONGBIRD'],
  ['Fairy Tale', 'FAIRY ?TALE|FAIRY'],
  ['Scandinavian', 'SCANDINAVIAN|SCANDI'],
  ['Moroccan', 'MOROCCAN'],
  ['Tuscan', 'TUSCAN'],
  ['Antique', 'ANTIQUE|ANT(?= (?:WHITE|SILVER|COPPER|IVORY))'],
  ['Rustic', 'RUSTIC'],
  ['Shabby Chic', 'SHABBY|CHIC'],
  ['Colonial', 'COLONIAL'],
  ['Retro', 'RETRO|FIFTIES|SIXTIES'],
  ['Vintage', 'VINTAGE'],
  ['Zinc', 'ZINC'],
  ['Heart of Wicker', 'HEART OF WICKER'],
  ['Wicker', 'WICKER|RATTAN'],
  ['Enamel', 'ENAMEL'],
].map(([brand, source]) => ({ brand, pattern: new RegExp(`(?<![A-Z0-9])(?:${source})(?![A-Z0-9])`) }));

/** The collection a product belongs to, from a recurring design line in its description; 'ECI Home' otherwise. */
export function brandOf(description: string): string {
  const text = normaliseDescription(description);
  for (const { brand, pattern } of BRAND_RULES) if (pattern.test(text)) return brand;
  return DEFAULT_BRAND;
}

/* ------------------------------------------------------------------------------------------------ */
/* Display text                                                                                     */
/* ------------------------------------------------------------------------------------------------ */

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

/** Words kept in capitals. */
const ACRONYMS = new Set(['LED', 'UK', 'USA', 'US', 'DIY', 'ABC', 'CD', 'DVD', 'USB', 'TV', 'OK', 'PVC', 'GB', 'NY', 'II', 'III', 'IV', 'XL', 'XXL', 'RSPB', 'WW2', 'WWII', 'HRH', 'CRUK']);
/** Words in lower case unless first or last. */
const MINOR_WORDS = new Set(['OF', 'AND', 'IN', 'WITH', 'FOR', 'ON', 'THE', 'TO', 'AT', 'BY', 'OR', 'FROM', 'AN']);
/** Units after a number, kept in lower case: '20cm', '125g', '40x40cm'. */
const MEASURE = /^(\d+(?:\.\d+)?)((?:X\d+(?:\.\d+)?)*)(CM|MM|M|G|KG|ML|L|LTR|OZ|IN|INCH|PCS?)?$/;

function titleWord(word: string, first: boolean, last: boolean): string {
  const upper = word.toUpperCase();
  if (ACRONYMS.has(upper)) return upper;
  const measure = MEASURE.exec(upper);
  if (measure) return upper.toLowerCase();
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
    .replace(/,(?=\S)/g, ', ')
    .replace(/\s+/g, ' ')
    .trim();
  const words = [...cleaned.matchAll(/[A-Za-z0-9]+(?:['’.][A-Za-z0-9]+)*/g)];
  let out = '';
  let at = 0;
  words.forEach((m, i) => {
    const start = m.index;
    out += cleaned.slice(at, start);
    const before = cleaned.charAt(start - 1);
    const afterSeparator = before === '-' || before === '/' || before === '"' || before === '(' || before === '+';
    out += titleWord(m[0], i === 0 || afterSeparator, i === words.length - 1);
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
