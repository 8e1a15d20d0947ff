import { conflict, notFound } from '../../shared/errors';
import { SkuTakenError, VersionConflictError, type CatalogDeps } from '../ports';
import type {
  CreateProduct,
  ListProductsQuery,
  PartnerProductPage,
  PartnerProductsQuery,
  Product,
  UpdateProduct,
} from '../schemas';

export async function createProduct(
  input: CreateProduct,
  deps: CatalogDeps,
  options: { testData?: boolean } = {},
): Promise<Product> {
  const now = deps.clock.now().toISOString();
  const id = deps.newId();
  const product: Product = {
    id,
    sku: input.sku ?? `SKU-${id.toUpperCase()}`,
    name: input.name,
    description: input.description,
    category: input.category,
    brand: input.brand,
    price: input.price,
    currency: input.currency,
    imageUrls: [],
    attributes: input.attributes ?? {},
    popularity: 0,
    status: 'ACTIVE',
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
  try {
    await deps.products.create(product, options);
  } catch (e) {
    if (e instanceof SkuTakenError) throw conflict(`SKU ${product.sku} is already in use`);
    throw e;
  }
  await deps.stock.initialise(id, input.initialStock ?? 0, options);
  return product;
}

export async function getProduct(id: string, deps: Pick<CatalogDeps, 'products'>): Promise<Product> {
  const product = await deps.products.get(id);
  if (!product) throw notFound('Product');
  return product;
}

export async function updateProduct(
  id: string,
  input: UpdateProduct,
  deps: Pick<CatalogDeps, 'products' | 'clock'>,
): Promise<Product> {
  const current = await getProduct(id, deps);
  const { version, ...changes } = input;
  if (current.version !== version) throw staleVersion(current.version);
  const next: Product = { ...current, ...changes, version: version + 1, updatedAt: deps.clock.now().toISOString() };
  try {
    await deps.products.replace(next, version);
  } catch (e) {
    if (e instanceof VersionConflictError) throw staleVersion();
    throw e;
  }
  return next;
}

const staleVersion = (current?: number) =>
  conflict(
    `The product was changed by someone else${current ? ` (now version ${current})` : ''}; read it again and retry`,
  );

export const listProducts = (query: ListProductsQuery, deps: Pick<CatalogDeps, 'products'>) =>
  deps.products.listActive(query);

/** The partners' feed: the same listing of active products, each cut down to what a marketplace lists. */
export async function listPartnerProducts(
  query: PartnerProductsQuery,
  deps: Pick<CatalogDeps, 'products'>,
): Promise<PartnerProductPage> {
  const page = await deps.products.listActive(query);
  return {
    items: page.items.map(({ id, sku, name, price, currency, updatedAt }) => ({
      id,
      sku,
      name,
      price,
      currency,
      updatedAt,
    })),
    nextCursor: page.nextCursor,
  };
}
