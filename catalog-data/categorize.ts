/**
 * The category of a product from its free-text description. Pure keyword rules, written against the seed
 * dataset's descriptions (upper-case gift-shop lines such as 'WHITE HANGING HEART T-LIGHT HOLDER'); they
 * work on any description.
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
 * Ordered: the first rule with a matching keyword wins, 'other' when none does. Four tiers:
 * 1. seasonal themes (a Christmas mug belongs to Christmas, an Easter basket to Party & Gifts);
 * 2. phrases naming an item a later, broader word would misfile (a lunch bag is a bag, a cake tin is
 *    bakeware, a passport cover is an accessory, a diner wall clock a clock);
 * 3. item nouns (mug, lantern, necklace, notebook, cushion, sign…), most specific category first;
 * 4. theme words that only tell the range when no item noun did (tea time, fairy cake, children's…).
 */
export const CATEGORY_RULES: CategoryRule[] = [
  // 1. Seasons.
  {
    category: 'christmas',
    keywords: [
      'CHRISTMAS', 'XMAS', 'X-MAS', 'ADVENT', 'SANTA', 'REINDEER', 'SNOWFLAKES?', 'SNOWMAN', 'SNOW ?GLOBE', 'BAUBLES?',
      'NATIVITY', 'JINGLE BELLS?', 'YULETIDE', 'NOEL', 'STOCKINGS?', 'GINGERBREAD', 'HOLLY', 'MISTLETOE', 'FESTIVE',
      'CRACKERS?', 'ELF', 'TREE TOP', 'ANGELS?', 'POINSETTIA', 'ICICLES?', 'FROSTED TREE', 'FELT TREE', 'FEATHER TREE',
      'TREE (?:DECORATION|ORNAMENT|HANGING)S?', 'WINTER',
    ],
    unless: ['CHRISTMAS CACTUS'],
  },
  { category: 'party-gifts', keywords: ['EASTER', 'HOT CROSS'] },

  // 2. Phrases.
  {
    category: 'lighting',
    keywords: [
      'T-? ?LIGHTS?', 'TEA ?LIGHTS?', 'TEALIGHTS?', 'CANDLES?', 'CANDLE ?HOLDERS?', 'CANDLEHOLDERS?', 'CANDLE ?STICKS?',
      'CANDLE ?POTS?', 'CANDLESTAND', 'LANTERNS?', 'LAMP ?SHADES?', 'LAMPSHADE', 'NIGHT ?LIGHTS?', 'MATCHES',
      'OIL BURNER', 'VOTIVE', 'INCENSE',
    ],
    unless: ['(?:BIRTHDAY|PARTY|CAKE|NUMBER) CANDLES?', 'CANDLES? SET'],
  },
  {
    category: 'jewellery-accessories',
    keywords: [
      'NECKLACES?', 'NECKLAC', 'NECKL', 'BRACELETS?', 'BRACLET', 'EARRINGS?', 'BANGLES?', 'BROOCH(?:ES)?', 'CHOKER',
      'LARIAT',
    ],
  },
  { category: 'clocks', keywords: ['CLOCKS?', 'ALARM'], unless: ['CLOCK MAGNET'] },
  {
    category: 'bags',
    keywords: [
      'LUNCH BAGS?', 'JUMBO BAGS?', 'JUMBO SHOPPER', 'JUMBO STORAGE BAG', 'SHOPPING BAG', 'SHOPPER BAG', 'TOTE BAG',
      'BEACH BAG', 'PICNIC BAG', 'CHARLOTTE BAG', 'SHOULDER BAG', 'HAND ?BAG', 'BUM BAG', 'COOL(?:ER)? BAG',
    ],
  },
  {
    category: 'toys-games',
    keywords: [
      'MARBLES', 'MONEY (?:BANK|BOX)', 'PIGGY BANK', 'PLAYING CARDS', 'SNAP CARDS', 'CARD GAME', 'KNITTING KIT',
      'CRAFT KIT', 'PAINT SET', 'SOFT TOY', 'PUPPETS?', 'GAMES?', 'DOLLS? HOUSE', 'TOY', 'TOYS',
    ],
  },
  {
    category: 'party-gifts',
    keywords: [
      'GIFT BAGS?', 'PARTY BAGS?', 'GIFT BOX(?:ES)?', 'GIFT SETS?', 'PAPER CHAIN', 'CHAIN KIT',
      'PARTY (?:CONES|INVITES|PLATES|CUPS|NAPKINS|STRAWS|CANDLES|HATS|BAG)',
      'PAPER (?:PLATES|CUPS|NAPKINS|PARASOLS?|FAN|BALLS?|PARTY)', 'COCKTAIL (?:PARASOLS?|SWORDS|STICKS)',
      'CAKE CANDLES', 'BIRTHDAY CANDLES?', 'BIRTHDAY BANNER', 'HONEYCOMB', 'GRASS SKIRT', 'BUNTING',
    ],
    unless: ['(?:IN|W|WITH) GIFT BOX'],
  },
  {
    category: 'kitchen-dining',
    keywords: [
      'CAKE ?STANDS?', 'CAKE CASES?', 'CAKE TINS?', 'CAKE CARRIER', 'CAKE (?:FORKS?|SLICE|PLATE|DOME|BOX)',
      'TEA ?SETS?', 'TEA COSY', 'EGG (?:COSY|WARMER|CUPS?|HOLDER|BASKET|BEATER|TIMER|HOUSE|RACK)', 'TEA ?TOWELS?',
      'OVEN (?:GLOVES?|MITTS?)', 'APRONS?', 'CHOPPING BOARD', 'LUNCH ?BOX(?:ES)?', 'SNACK BOX(?:ES)?',
      'PICNIC (?:BOX(?:ES)?|BASKET|HAMPER|SET|PLATE|CUPS?)', 'FOOD (?:COVERS?|CONTAINERS?)',
      'MEASURING (?:SPOONS|JUG|CUPS)', 'BISCUIT (?:TIN|BARREL|BIN|CUTTERS?)', 'COOKIE CUTTERS?', 'BREAD BIN',
      'STORAGE JARS?', 'JAM (?:JAR|POT|MAKING)', 'MILK JUG', 'PLACEMATS?', 'PLACE ?SETTINGS?', 'COASTERS?',
      'TABLE ?CLOTHS?', 'TABLE RUNNER',
      '(?:TEA|COFFEE|SUGAR) (?:CADDY|CONTAINER|TIN|TINS|STRAINER|GLASS|SET|JARS?|CANISTERS?|DISPENSER|BOWL|TONGS)',
      'KITCHEN (?:SCALES|ORGANISER|TIMER|ROLL)', 'RECIPE (?:BOX|BOOK|CARDS?)', 'LOLLY (?:MOULDS?|MAKERS)',
      'SALT AND PEPPER', 'SALT & PEPPER', '(?:WINE|CHAMPAGNE|TEA|SHOT|APERITIF) GLASS(?:ES)?', 'BREAKFAST SET',
      'TEA FOR ONE', 'STRAWS', 'POPCORN HOLDER', 'NAPKIN RINGS?', 'UTENSIL HOLDER', 'TOAST ?RACK', 'FRUIT ?BOWL',
      'WATER BOTTLE', 'DRINKS? BOTTLE', 'ICE CUBE', 'ICE LOLLY', 'SUGAR TONGS', 'TEA STRAINER', 'EGG CUPS?',
      'NAPKIN (?:RINGS?|CHARMS?)', 'WASHING UP (?:GLOVES|BRUSH|BOWL|LIQUID)', 'PETIT FOUR CASES', 'BAKING CASES',
      'MILKSHAKE GLASS', 'PAPER DOIL(?:Y|IES|EYS?)', 'DOIL(?:Y|IES)(?= (?:SET|PACK))',
    ],
    unless: ['HOT WATER BOTTLE', 'MAGNETS?'],
  },
  {
    category: 'bathroom',
    keywords: [
      'BATHROOM', 'WASH ?BAGS?', 'SPONGE BAG', 'TOILET', 'SOAP (?:DISH|HOLDER)', '(?:HAND|BATH|GUEST) TOWEL',
      'FLANNELS?', 'LIP ?(?:GLOSS|BALM)', 'PLASTERS', 'HAND CREAM', 'BUBBLE BATH', 'BATH SALTS', 'SALLE DE BAIN',
      'MAKE ?UP BAG', 'COSMETIC BAG', 'TOILETRY BAG', 'VANITY CASE', 'TISSUES', 'TISSUE BOX', 'SHOWER CAP', 'SOAP RACK',
    ],
  },
  {
    category: 'stationery',
    keywords: ['BLANK CARDS?', 'GREETING CARDS?', 'BIRTHDAY CARDS?', 'RIBBON REELS?', 'GIFT WRAP', 'WRAPPING PAPER'],
  },
  {
    category: 'jewellery-accessories',
    keywords: [
      'KEY ?RINGS?', 'KEY-?CHAINS?', 'KEY ?FOBS?', 'PASSPORT COVERS?', 'LUGGAGE TAGS?', 'CARD ?HOLDER',
      'COMPACT MIRROR', 'POCKET MIRROR', 'PURSE MIRROR', 'HAND ?WARMERS?', 'PHONE CHARM', 'PHONE CHAR', 'GLASSES CASE',
      'SPECTACLE CASE', 'JEWELL?E?RY (?:BOX|STAND|DRAWER|SET|DISH|HOLDER|TREE|CABINET|ROLL|CASE|BAG|POUCH)',
      'JEWEL (?:BOX|STAND|CASE)',
      'HAIR ?(?:CLIPS?|BANDS?|SLIDES?|GRIPS?|COMBS?|TIES?|BOBBLES?|ACCESSORIES|BOBBLE|BAND)', 'BAG CHARM', 'SUNGLASSES',
      'UMBRELLA(?! STAND)', 'UMBRELLAS', 'RAIN (?:PONCHO|HAT|MAC|COAT)', 'EAR ?MUFFS?', 'TRAVEL CARD WALLET',
      'TRAVEL CARD',
    ],
  },
  {
    category: 'stationery',
    keywords: [
      'BLANK CARDS?', 'GREETING CARDS?', 'BIRTHDAY CARDS?', 'CARDS? (?:SET|PACK)', 'WRAPPING PAPER', 'GIFT WRAP',
      'GIFT TAPE', 'GIFT TAGS?', 'STICKER SHEET', 'STICKERS?', 'PENS?(?= (?:CASE|SET|POT))', 'PENCIL CASE', 'PEN CASE',
      'TISSUE PAPER', 'WRAP', 'NOTEBOOKS?', 'PHOTO ALBUM', 'ADDRESS BOOK', 'BOOK ?MARKS?', 'P\'WEIGHT', 'PAPERWEIGHT',
      'CALCULATOR', 'HOLE PUNCH', 'NOTELETS', 'SKETCH ?BOOK', 'SCRAP ?BOOK',
    ],
    unless: ['CARD HOLDER'],
  },
  {
    category: 'garden-outdoor',
    keywords: [
      'GARDEN (?:PARASOL|FORK|GLOVES?|TOOLS?|MARKERS?|SET|KNEELER|KNEELING|TRUG|SIGN|PLANT|THERMOMETER|SPADE|TROWEL|HOSE|BENCH)',
      'GARDENERS?', 'WATERING CANS?', 'BIRD ?FEEDERS?', 'BIRD ?HOUSES?', 'BIRD ?TABLE', 'BIRD ?BATH', 'NESTING BOX',
      'DOVECOTE', 'PLANT(?:ER)? POTS?', 'FLOWER ?POTS?', 'HERB (?:MARKERS?|POTS?|PLANTER)', 'PLANT LABELS?',
      'WIND ?CHIMES?', 'DOOR ?MATS?', 'PLANT CAGE', 'FAIRY POLE', 'PLANTERS?', 'SEED (?:TIN|BOX|PACKETS?)', 'SEEDS',
      'PLANT (?:POT )?HOLDER',
    ],
    unless: ['PLAQUE', 'TILE', 'TRINKET', 'CUSHIONS?', 'HOT WATER BOTTLE'],
  },
  {
    category: 'textiles',
    keywords: [
      'CUSHION COVERS?', 'HOT WATER BOTTLES?', 'FILLER PADS?', 'MEASURING TAPE', 'TAPE MEASURE', 'SEWING',
      'SCARF KNITTING',
    ],
  },
  { category: 'storage', keywords: ['TRINKET (?:BOX|POT|DISH|TRAY)S?', 'KEEPSAKE BOX', 'STORAGE (?:BOX|TIN|JAR|BAG)'] },

  // 3. Item nouns.
  {
    category: 'home-decor',
    keywords: [
      'SIGNS?', 'DOOR ?SIGN', 'DOORSIGN', 'PLAQUES?', 'WALL ART', 'PHOTO ?FRAMES?', 'PHOTOFRAME', 'PICTURE FRAMES?',
      'FRAMES?', 'DOOR ?STOPS?', 'DOORSTOP', 'DECORATIONS?', 'WALL MIRROR', 'MIRRORS?', 'PRINTS?$', 'POSTERS?',
      'ORNAMENTS?', 'GARLANDS?', 'WREATHS?', 'VASES?', 'DOOR ?HANGERS?', 'WALL (?:HOOK|HANGING|STICKER|DECAL)S?',
      'MAGNETS?', 'DRAWER ?KNOBS?', 'KNOBS?', 'HOOKS?', 'COAT ?HANGERS?', 'CANVAS (?:ART|SCREEN)', 'ART PICTURE',
      'KITCHEN PRINT', 'SUCTION (?:CUP )?HOOK', 'TILES?', 'SCREEN',
    ],
    unless: ['LIGHT GARLAND', 'LIGHTS? GARLAND', 'GARLAND LIGHTS?', 'FRAME (?:BAG|PURSE)', 'MIRROR BALL'],
  },
  {
    category: 'lighting',
    keywords: [
      'T-? ?LIGHTS?', 'TEA ?LIGHTS?', 'TEALIGHTS?', 'CANDLES?', 'CANDLEHOLDERS?', 'CANDLE ?STICKS?', 'CANDLE ?POTS?',
      'LANTERNS?', 'LAMPS?', 'LAMP ?SHADES?', 'LAMPSHADE', 'LIGHTS', 'LIGHT', 'NIGHT ?LIGHTS?', 'CHANDELIER',
      'OIL BURNER', 'INCENSE', 'LED', 'TORCH', 'FRAGRANCE OILS?', 'LIGHT ?BULBS?', 'BULB', 'SUNJAR', 'NIGHTLIGHT',
      'CANDELABRA', 'VOTIVE', 'LIGHT GARLAND', 'FAIRY LIGHTS', 'STRING LIGHTS', 'SHADE', 'GLOW', 'LUMINOUS',
    ],
    unless: ['LIGHT (?:BLUE|PINK|GREEN|GREY)', 'LIGHTWEIGHT', 'GLOW IN (?:THE )?DARK'],
  },
  {
    category: 'bags',
    keywords: [
      'BAGS?', 'SHOPPERS?', 'PURSES?', 'HANDBAGS?', 'BACKPACKS?', 'RUCKSACK', 'SATCHEL', 'TOTE', 'WALLETS?', 'HOLDALL',
      'CLUTCH', 'POUCH', 'BUMBAG',
    ],
    unless: ['TEA ?BAGS?', 'BEAN ?BAG', 'PEG BAG', 'IN (?:A |COTTON |GAUZE )?BAG', 'BAG OF'],
  },
  {
    category: 'jewellery-accessories',
    keywords: [
      'NECKLACES?', 'NECKLAC', 'NECKL', 'BRACELETS?', 'BRACLET', 'BANGLES?', 'EARRINGS?', 'RINGS?', 'CHARMS?',
      'BROOCH(?:ES)?', 'PENDANTS?', 'CHOKER', 'LARIAT', 'TIARAS?', 'HAIRCLIPS?', 'HAIRBANDS?', 'HEADBANDS?',
      'SCRUNCHIES?', 'KEYRINGS?', 'BADGES?', 'SCARF', 'SCARVES', 'HATS?', 'GLOVES?', 'MITTENS', 'PONCHO', 'SLIPPERS',
      'SOCKS?', 'PARASOLS?', 'JEWELL?E?RY', 'BEADS', 'CORSAGE', 'CUFFLINKS', 'BELT', 'SHAWL', 'SARONG', 'DOG COLLAR',
      'COLLAR', 'CHAIN',
    ],
    unless: ['RINGS? (?:BINDER|CUSHION)', 'CHAIN (?:KIT|LINK)'],
  },
  {
    category: 'stationery',
    keywords: [
      'CARDS?', 'NOTEBOOKS?', 'NOTE ?BOOK', 'NOTEPADS?', 'NOTE ?PADS?', 'PENCILS?', 'PENS?', 'WRAPPING', 'PAPER',
      'ENVELOPES?', 'TAPES?', 'CALENDAR', 'DIARY', 'DIARIES', 'JOURNAL', 'ERASERS?', 'RUBBERS?', 'RULERS?', 'SHARPENER',
      'POSTCARDS?', 'TAGS?', 'LABELS?', 'RIBBONS?', 'REEL', 'TISSUE', 'STATIONERY', 'LETTER ?WRITING', 'WRITING SET',
      'CHALK', 'MARKERS?', 'CRAYONS?', 'STAMPS?', 'INK', 'SCISSORS?', 'STAPLER', 'MEMO', 'MEMO ?BOARD', 'ALBUM',
      'BOOKS?', 'ORIGAMI', 'DESK', 'CLIPBOARD', 'FOLDER', 'PAPER ?CLIPS?', 'INVITES?', 'INVITATIONS?', 'PLANNER', 'PAD',
      'PADS', 'POST-?IT', 'STICKY NOTES', 'BLOCK', 'NOTES',
    ],
    unless: ['PAPER (?:LANTERN|BUNTING|FAN)', 'FILLER PAD', 'KNEELING PAD', 'BLOCK LETTERS', 'BUILDING BLOCKS?'],
  },
  {
    category: 'kitchen-dining',
    keywords: [
      'MUGS?', 'CUPS?', 'SAUCERS?', 'PLATES?', 'BOWLS?', 'TEAPOTS?', 'TEACUPS?', 'SPOONS?', 'TEASPOONS?', 'TRAYS?',
      'CUTLERY', 'FORKS?', 'KNIFE', 'KNIVES', 'NAPKINS?', 'BEAKERS?', 'JUGS?', 'TUMBLERS?', 'GLASSES', 'GOBLETS?',
      'CHALICE', 'DECANTER', 'CARAFE', 'BOTTLES?', 'FLASKS?', 'DISH', 'DISHES', 'PANS?', 'SAUCEPAN', 'COLANDER',
      'WHISK', 'LADLES?', 'SPATULA', 'SIEVE', 'GRATER', 'SCALES', 'CHOPSTICKS', 'PLATTERS?', 'JARS?', 'CANISTERS?',
      'CADDY', 'STRAINER', 'TONGS', 'MOULDS?', 'CUTTERS?', 'SQUEEZER', 'CAKESTAND', 'DOIL(?:Y|IES|EY)S?', 'CONDIMENT',
      'CRUET', 'TIMER', 'THERMOS', 'SERVING', 'BAKING', 'BAKEWARE', 'ROLLING PIN', 'MEASURING', 'NUTCRACKER', 'GRINDER',
      'MILL', 'DINNERWARE', 'TABLEWARE', 'BOTTLE OPENER', 'CORKSCREW', 'PEPPER', 'TOASTRACK', 'DISPENSER', 'CAKE FORK',
      'EGG CUP', 'TEA INFUSER', 'ICE TRAY', 'COOKING SET', 'FRYING', 'WASHING UP', 'DRYING RACK', 'CAFETIERE', 'SPICE',
      'BREAD BOARD', 'SUGAR BOWL', 'BUTTER DISH',
    ],
    unless: [
      'HOT WATER BOTTLE', 'SOAP DISH', 'TRINKET (?:DISH|TRAY|BOWL)', 'BATH', 'SUCTION CUP', 'TOILETTE', 'PERFUME',
    ],
  },
  {
    category: 'bathroom',
    keywords: [
      'BATH', 'SOAPS?', 'TOWELS?', 'WASHBAGS?', 'TOILETTE', 'PERFUME', 'SPONGE', 'TOOTHBRUSH', 'TOOTHPASTE', 'BALM',
      'LOTION', 'SHAMPOO', 'SHOWER', 'LOO', 'RAZOR', 'HAIRBRUSH', 'COMB', 'MANICURE', 'NAIL (?:FILE|BRUSH|SET|KIT)',
      'TISSUE BOX', 'COTTON WOOL',
    ],
  },
  {
    category: 'toys-games',
    keywords: [
      'GAMES?', 'JIGSAWS?', 'PUZZLES?', 'DOMINOES', 'SPINNING TOPS?', 'SKIPP?ING ROPE', 'DOLLS?', 'RAG DOLL',
      'PUPPETS?', 'KITES?', 'BUBBLES', 'YO-?YO', 'BALLOONS?', 'PISTOL', 'ROCKETS?', 'BLOCKS', 'NINJA', 'TATTOOS?',
      'STENCILS?', 'STENCIL', 'MODELLING', 'INFLATABLE', 'FLYING DISC', 'FRISBEE', 'SNAKES (?:AND|&) LADDERS',
      'N[OA]UGHTS (?:AND|&) CROSSES', 'GLIDERS?', 'CREEPY CRAWL(?:Y|IES|IE)', 'SNAKE SET', 'TEDDY', 'TEDDIES',
      'PUPPETS?', 'JACK IN THE BOX', 'SKITTLES', 'BINGO', 'CHESS', 'DRAUGHTS', 'LUDO', 'SCRABBLE', 'BOOMERANG',
      'STRESS BALL', 'HOPSCOTCH', 'SPACE ?SHIP', 'SPACESHIP', 'HELICOPTER', 'WHEELBARROW FOR CHILDREN', 'TRAIN',
      'CARS?', 'TRUCK', 'TRACTOR', 'ROBOT', 'MAGIC', 'TRICK', 'WATER PISTOL', 'SKATE', 'BALL(?! ?(?:ROTATOR|ASHTRAY))',
      'BALLS', 'PLAYHOUSE', 'DRESSING UP', 'FANCY DRESS', 'COLOURING', 'PAINTING SET', 'CRAFT', 'PLAY', 'PLAYING',
      'SNAP', 'KALEIDOSCOPE', 'SLINKY', 'MARACAS', 'DRUM', 'WHISTLE', 'HARMONICA', 'XYLOPHONE', 'RATTLE', 'WIND ?UP',
      'CLOCKWORK', 'SOLDIERS', 'DINOSAURS?',
    ],
    unless: ['(?:DISCO|MIRROR|MIRRORED|CERAMIC|GLASS) BALL'],
  },
  {
    category: 'garden-outdoor',
    keywords: [
      'GARDEN', 'GARDENING', 'POTS?', 'TROWEL', 'SPADE', 'SHED', 'HOSE', 'WINDMILL', 'WEATHER ?VANE', 'THERMOMETER',
      'OUTDOOR', 'PATIO', 'DECK ?CHAIR', 'HAMMOCK', 'BEACH', 'SANDCASTLE', 'BUCKETS?', 'GNOME', 'BIRDHOUSE', 'FEEDER',
      'CLOCHE', 'TERRARIUM', 'TERRACOTTA', 'DOORMATS?', 'MAT', 'PEGS', 'WASHING LINE', 'BICYCLE', 'BIKE', 'CAMPING',
      'TENT', 'WINDBREAK', 'TRELLIS', 'OBELISK', 'BULBS', 'TRUG', 'SPRINKLER', 'SUNDIAL', 'GARDEN MARKER', 'WATERING',
      'PICNIC BLANKET', 'FLAG', 'PENNANT',
    ],
    unless: ['BEACH (?:HUT|BAG)', 'TEA ?POTS?', 'JAM POTS?', 'CANDLE ?POTS?', 'PEN POTS?'],
  },
  {
    category: 'textiles',
    keywords: [
      'CUSHIONS?', 'COVERS?', 'THROWS?', 'BLANKETS?', 'QUILTS?', 'QUILTED', 'PATCHWORK', 'FABRIC', 'CURTAINS?',
      'CROCHET', 'KNITTED', 'KNITTING', 'WOOL', 'COTTON', 'LINEN', 'LACE', 'EMBROIDERED', 'EMBROIDERY', 'PILLOWS?',
      'PILLOWCASES?', 'DUVET', 'BEDSPREAD', 'RUGS?', 'HANDKERCHIEFS?', 'BUTTONS?', 'THREAD', 'NEEDLES?', 'PINCUSHION',
      'TAPESTRY', 'VELVET', 'SILK', 'SATIN', 'FLEECE', 'DRAUGHT EXCLUDER', 'BEAN ?BAG', 'POUFFE', 'COSY', 'BIBS?',
      'ROMPER', 'BABY GROW', 'PYJAMAS', 'T-SHIRT', 'TEXTILES?', 'PATCHES', 'FELT', 'FELTCRAFT', 'TABLECLOTH', 'HAMMOCK',
      'SLEEPING BAG', 'TEA COSY', 'PADDED', 'CANVAS', 'CLOTH', 'VOILE', 'DOOR STOP', 'DRESS', 'SKIRT',
    ],
  },
  {
    category: 'storage',
    keywords: [
      'STORAGE', 'BOX(?:ES)?', 'BASKETS?', 'DRAWERS?', 'CABINETS?', 'CHESTS?', 'CRATES?', 'TRUNKS?', 'CASES?',
      'CONTAINERS?', 'ORGANISERS?', 'ORGANIZER', 'TIDY', 'TINS?', 'HAMPERS?', 'BINS?', 'TUBS?', 'PEG BAG', 'TRINKET',
      'KEEPSAKE', 'RACKS?', 'SHELF', 'SHELVES', 'CUBBY', 'LOCKER', 'SAFE', 'HOLDERS?', 'STANDS?', 'CARRIER', 'TRUG',
      'BUCKET', 'PAIL', 'WASTE ?PAPER', 'NEST OF', 'CADDY', 'KEY CABINET', 'LETTER RACK', 'MAGAZINE RACK',
    ],
  },
  {
    category: 'party-gifts',
    keywords: [
      'PARTY', 'BIRTHDAY', 'BUNTING', 'CONFETTI', 'PINATA', 'STREAMERS?', 'VALENTINES?', 'WEDDING', 'BRIDE',
      'CELEBRATION', 'CONGRATULATIONS', 'GIFT', 'GIFTS', 'PRESENT', 'MASKS?', 'HALLOWEEN', 'HONEYCOMB', 'POM ?POMS?',
      'FAVOURS?', 'SOMBRERO', 'GRASS SKIRT', 'ROSETTES?', 'PARASOL', 'CANDY ?FLOSS', 'HAMPER', 'BANNER', 'HEN PARTY',
      'BABY SHOWER', 'CHRISTENING',
    ],
  },
  {
    category: 'home-decor',
    keywords: [
      'HOOKS?', 'COAT HANGERS?', 'HANGERS?', 'MAGNETS?', 'KNOBS?', 'DRAWERKNOB', 'TILES?', 'MOBILES?', 'CHIMES?',
      'BELLS?', 'ARTIFICIAL', 'ART FLOWER', 'FLOWERS?', 'STEMS?', 'CHALKBOARD', 'BLACK ?BOARD', 'LETTERS?',
      'FIGURINES?', 'STATUE', 'SCULPTURE', 'ORNAMENTAL', 'PAINTINGS?', 'DOME', 'GLOBE', 'MAP', 'POMANDER',
      'POT ?POURRI', 'SACHETS?', 'SCENT', 'SPIRALS?', 'HEARTS?', 'STARS?', 'BIRDS?', 'BUTTERFL(?:Y|IES)', 'FEATHERS?',
      'DUCKS?', 'SHELLS?', 'PEBBLES?', 'STONES?', 'DRIFTWOOD', 'CUPID', 'SCREEN', 'PARTITION', 'PANEL', 'STOOLS?',
      'CHAIRS?', 'TABLE', 'FURNITURE', 'BAR STOOL', 'DISCO BALL', 'MIRROR BALL', 'BALL ROTATOR', 'PHOTO', 'PICTURE',
      'HANGING', 'WALL', 'DOOR', 'WINDOW', 'SUNCATCHER', 'DREAMCATCHER', 'RABBITS?', 'CATS?', 'DOGS?', 'OWLS?',
      'HORSES?', 'PONY', 'ELEPHANTS?', 'PIGS?', 'FROGS?', 'SHEEP', 'COWS?', 'FISH', 'SNAILS?', 'HEDGEHOGS?',
      'SQUIRRELS?', 'MICE', 'MOUSE', 'FOX(?:ES)?', 'DRAGONFLY', 'LADYBIRDS?', 'HENS?', 'CHICKENS?', 'CHICKS?',
      'BUNN(?:Y|IES)', 'HARES?', 'DOVES?', 'SWANS?', 'PARROTS?', 'PEACOCKS?', 'FLAMINGOS?', 'BUDDHA', 'GEISHA',
      'MUSHROOMS?', 'TOADSTOOLS?', 'PEARS', 'APPLES', 'FRUITS?', 'CACTUS', 'TREES?', 'LEAVES', 'CHALK BOARD',
      'LUCKY CAT', 'ASHTRAY', 'ROSES?', 'HOME', 'HOUSE', 'DECO', 'DECOR', 'DECORATIVE',
    ],
  },

  // 4. Themes: the range, when no item noun said it.
  {
    category: 'kitchen-dining',
    keywords: [
      'TEA', 'TEATIME', 'COFFEE', 'CAKES?', 'CUPCAKES?', 'JAM', 'KITCHEN', 'PANTRY', 'RECIPE', 'FOOD', 'DINNER',
      'LUNCH', 'BREAKFAST', 'PICNIC', 'DINER', 'SWEETIES?', 'SWEETS', 'CANDY', 'CHOCOLATE', 'BISCUITS?', 'COOKIES?',
      'EGGS?', 'SUGAR', 'HONEY', 'MILK', 'BREAD', 'BUTTER', 'TOAST', 'ICE ?CREAM', 'LOLLY', 'LOLLIES', 'POPCORN',
      'DRINKS?', 'WINE', 'BEER', 'CAFE', 'PATISSERIE',
    ],
  },
  {
    category: 'toys-games',
    keywords: [
      'CHILDRENS?', "CHILDREN'S", 'CHILDS', 'KIDS', 'BABY', 'NURSERY', 'SPACE BOY', 'SPACEBOY', 'CIRCUS', 'MONSTERS?',
      'SPACE CADET', 'FAIRY',
    ],
  },
  {
    category: 'home-decor',
    keywords: [
      'LOVE', 'VINTAGE', 'WOODEN', 'WOOD', 'METAL', 'GLASS', 'CERAMIC', 'PORCELAIN', 'ENAMEL', 'ZINC', 'WIRE', 'WICKER',
      'RUSTIC', 'PAINTED', 'DECORATIVE', 'ANTIQUE',
    ],
  },
];

/** One regex for a list of keyword fragments, each matched as whole words. */
const wordRegex = (fragments: string[]) => new RegExp(`(?<![A-Z0-9])(?:${fragments.join('|')})(?![A-Z0-9])`);

const COMPILED = CATEGORY_RULES.map((rule) => ({
  category: rule.category,
  match: wordRegex(rule.keywords),
  unless: rule.unless ? wordRegex(rule.unless) : undefined,
}));

/** Upper case, list punctuation as spaces, single spaces: what the rules match against. */
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
