/**
 * The collection ("brand") a product is sold under, from a recurring design line in its description.
 */
import { normaliseDescription } from './categorize';

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
  ['Home Sweet Home', 'HOME SWEET HOME'],
  ['Keep Calm', 'KEEP CALM'],
  ['Danish Rose', 'DANISH ROSE'],
  ['Rose du Sud', 'ROSE DU SUD'],
  ['Candy Spot', 'CANDY SPOT'],
  ['Magic Garden', 'MAGIC GARDEN'],
  ['Enchanted Forest', '(?:ENCHANTED|MAGIC) FOREST'],
  ['Potting Shed', 'POTTING SHED'],
  ['Willie Winkie', 'WILLIE WINKIE'],
  ['Funky Monkey', 'FUNKY MONKEY'],
  ['Jazz Hearts', 'JAZZ HEARTS'],
  ['New England', 'NEW ENGLAND'],
  ['Fairy Cakes', 'FAIRY CAKES?|CUP ?CAKES?'],
  ['Tea Time', 'TEA ?TIME'],
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
  ['Baroque', 'BAROQUE|ROCOCO|ROCCOCO'],
  ['Flock', 'FLOCK'],
  ['Diner', 'DINER'],
  ['Fifties', "50'?S|FIFTIES"],
  ['Medina', 'MEDINA'],
  ['Jardin', 'JARDIN'],
  ['Scottie Dog', 'SCOTT(?:IE|Y)S?(?: DOGS?)?'],
  ['Poppies', 'POPP(?:Y|IES)'],
  ['Orchard', 'APPLES?(?: AND PEARS)?|PEARS'],
  ['Seaside', 'SEASIDE|BEACH HUT|SHELLS?|SEA ?SHELL'],
  ['Cupid', 'CUPID'],
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
  ['Retro', 'RETRO|SIXTIES|SEVENTIES'],
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
