import { httpHandler, json, parse } from '../../shared/http';
import { getProduct } from '../domain/products';
import { productRepository } from '../deps';
import type { CatalogDeps } from '../ports';
import { ProductIdParams } from '../schemas';

export const makeHandler = (deps: Pick<CatalogDeps, 'products'>) =>
  httpHandler(async (event) => {
    const { id } = parse(ProductIdParams, event.pathParameters);
    return json(200, await getProduct(id, deps));
  });

export const handler = makeHandler({ products: productRepository() });
