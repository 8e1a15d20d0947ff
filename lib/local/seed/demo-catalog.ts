/**
 * The project's own demo catalog: a small gift shop, written by hand, seeded where the Online Retail
 * dataset is absent (a fresh clone). Every category has products; prices are pence.
 */
import type { Category } from '../../../catalog-data/categories';
import { describeProduct } from '../../../catalog-data/product-text';
import type { SeedProduct } from '../../../catalog-data/catalog';

type DemoRow = [
  sku: string,
  name: string,
  category: Category,
  brand: string,
  price: number,
  popularity: number,
  stock: number,
];

const ROWS: DemoRow[] = [
  ['ECI-XM-001', 'Felt Robin Hanging Decoration', 'christmas', 'Woodland', 295, 412, 380],
  ['ECI-XM-002', 'Wooden Advent Calendar House', 'christmas', 'ECI Home', 2495, 188, 60],
  ['ECI-XM-003', 'Set of 6 Glass Star Baubles', 'christmas', 'Nordic Frost', 895, 301, 240],
  ['ECI-LT-001', 'Zinc Star T-Light Holder', 'lighting', 'Zinc', 350, 655, 900],
  ['ECI-LT-002', 'Paper Moon Lantern 30cm', 'lighting', 'Nordic Frost', 795, 214, 150],
  ['ECI-LT-003', 'Fig & Cedar Scented Candle', 'lighting', 'Apothecary', 1250, 389, 320],
  ['ECI-LT-004', 'Copper Wire Fairy Lights 20 LED', 'lighting', 'ECI Home', 995, 502, 410],
  ['ECI-KD-001', 'Speckled Stoneware Mug', 'kitchen-dining', 'Meadow', 650, 731, 1200],
  ['ECI-KD-002', 'Three Tier Cake Stand', 'kitchen-dining', 'Regency', 1895, 276, 140],
  ['ECI-KD-003', 'Pack of 60 Floral Cake Cases', 'kitchen-dining', 'Meadow', 225, 544, 1500],
  ['ECI-KD-004', 'Enamel Picnic Plate Set of 4', 'kitchen-dining', 'Enamel', 1400, 163, 110],
  ['ECI-KD-005', 'Bamboo Lunch Box', 'kitchen-dining', 'ECI Home', 895, 320, 260],
  ['ECI-BG-001', 'Jumbo Shopper Bag Lemons', 'bags', 'Meadow', 225, 866, 2000],
  ['ECI-BG-002', 'Canvas Tote Bag Seaside', 'bags', 'Seaside', 795, 297, 350],
  ['ECI-BG-003', 'Embroidered Coin Purse', 'bags', 'Folk Art', 495, 205, 280],
  ['ECI-ST-001', 'Linen Cover A5 Notebook', 'stationery', 'ECI Home', 695, 418, 500],
  ['ECI-ST-002', 'Botanical Gift Wrap Sheet', 'stationery', 'Botanical', 120, 602, 2500],
  ['ECI-ST-003', 'Set of 12 Colouring Pencils', 'stationery', 'ECI Home', 450, 355, 700],
  ['ECI-ST-004', 'Pressed Flower Greeting Card', 'stationery', 'Botanical', 275, 480, 1800],
  ['ECI-PG-001', 'Paper Bunting 3 Metres', 'party-gifts', 'Meadow', 595, 333, 420],
  ['ECI-PG-002', 'Birthday Candle Set Gold', 'party-gifts', 'ECI Home', 350, 257, 600],
  ['ECI-PG-003', 'Kraft Gift Box Medium', 'party-gifts', 'ECI Home', 295, 190, 900],
  ['ECI-GO-001', 'Galvanised Watering Can', 'garden-outdoor', 'Zinc', 1895, 122, 80],
  ['ECI-GO-002', 'Hanging Bird Feeder Cottage', 'garden-outdoor', 'Cottage Garden', 1295, 168, 130],
  ['ECI-GO-003', "Gardener's Kneeling Pad", 'garden-outdoor', 'Cottage Garden', 850, 94, 160],
  ['ECI-TG-001', 'Wooden Dominoes in a Tin', 'toys-games', 'ECI Home', 795, 143, 200],
  ['ECI-TG-002', 'Knitted Rabbit Soft Toy', 'toys-games', 'Woodland', 1450, 281, 150],
  ['ECI-TG-003', 'Spaceship Jigsaw 100 Pieces', 'toys-games', 'Spaceboy', 995, 176, 180],
  ['ECI-SG-001', 'Nest of 3 Seagrass Baskets', 'storage', 'Wicker', 2995, 109, 60],
  ['ECI-SG-002', 'Vintage Print Storage Tin', 'storage', 'Vintage', 595, 264, 400],
  ['ECI-BT-001', 'Olive Oil Soap Bar', 'bathroom', 'Apothecary', 395, 377, 650],
  ['ECI-BT-002', 'Waffle Cotton Hand Towel', 'bathroom', 'ECI Home', 895, 151, 220],
  ['ECI-BT-003', 'Floral Wash Bag', 'bathroom', 'Meadow', 995, 198, 240],
  ['ECI-JA-001', 'Sea Glass Drop Earrings', 'jewellery-accessories', 'Seaside', 1295, 233, 120],
  ['ECI-JA-002', 'Beaded Friendship Bracelet', 'jewellery-accessories', 'Folk Art', 450, 318, 500],
  ['ECI-JA-003', 'Polka Dot Folding Umbrella', 'jewellery-accessories', 'Polkadot', 1195, 140, 130],
  ['ECI-TX-001', 'Chunky Knit Cushion Cover', 'textiles', 'Nordic Frost', 1595, 212, 180],
  ['ECI-TX-002', 'Knitted Hot Water Bottle', 'textiles', 'Nordic Frost', 1350, 246, 210],
  ['ECI-CL-001', 'Enamel Alarm Clock Mint', 'clocks', 'Enamel', 1495, 131, 90],
  ['ECI-CL-002', 'Station Wall Clock 30cm', 'clocks', 'Vintage', 2895, 87, 45],
  ['ECI-HD-001', 'White Hanging Heart Decoration', 'home-decor', 'ECI Home', 295, 699, 1100],
  ['ECI-HD-002', 'Driftwood Photo Frame 6x4', 'home-decor', 'Seaside', 995, 226, 260],
  ['ECI-HD-003', 'Home Sweet Home Metal Sign', 'home-decor', 'Vintage', 695, 305, 340],
  ['ECI-OT-001', 'Mystery Gift Surprise Parcel', 'other', 'ECI Home', 1000, 64, 100],
];

/** Listed from 1 March 2024, a day apart, so ordering by creation is stable. */
const FIRST_LISTED = Date.UTC(2024, 2, 1, 9, 0, 0);

export const DEMO_CATALOG: readonly SeedProduct[] = ROWS.map(
  ([sku, name, category, brand, price, popularity, initialStock], i) => ({
    id: sku,
    sku,
    name,
    description: describeProduct(name, category, brand),
    category,
    brand,
    price,
    currency: 'GBP',
    popularity,
    initialStock,
    createdAt: new Date(FIRST_LISTED + i * 86_400_000).toISOString(),
  }),
);
