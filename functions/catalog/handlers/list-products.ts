import { httpHandler, json, parse, query } from '../../shared/http';
import { listProducts } from '../domain/products';
import { productRepository } from '../deps';
import type { CatalogDeps } from '../ports';
import { ListProductsQuery } from '../schemas';

export const makeHandler = (deps: Pick<CatalogDeps, 'products'>) =>
  httpHandler(async (event) => {
    const input = parse(ListProductsQuery, query(event));
    return json(200, await listProducts(input, deps));
  });

export const handler = makeHandler({ products: productRepository() });
