import { httpHandler, json, parse, query } from '../../shared/http';
import { listPartnerProducts } from '../domain/products';
import { productRepository } from '../deps';
import type { CatalogDeps } from '../ports';
import { PartnerProductsQuery } from '../schemas';

/** API Gateway (or the local edge) has already checked the partner's API key: the route requires one. */
export const makeHandler = (deps: Pick<CatalogDeps, 'products'>) =>
  httpHandler(async (event) => {
    const input = parse(PartnerProductsQuery, query(event));
    return json(200, await listPartnerProducts(input, deps));
  });

export const handler = makeHandler({ products: productRepository() });
