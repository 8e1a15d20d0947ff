import { requireGroup } from '../../shared/auth';
import { httpHandler, json, parse } from '../../shared/http';
import { updateProduct } from '../domain/products';
import { systemClock } from '../../shared/clock';
import { productRepository } from '../deps';
import type { CatalogDeps } from '../ports';
import { ProductIdParams, UpdateProduct } from '../schemas';

export const makeHandler = (deps: Pick<CatalogDeps, 'products' | 'clock'>) =>
  httpHandler(
    async (event) => {
      requireGroup(event, 'admin');
      const { id } = parse(ProductIdParams, event.pathParameters);
      const input = parse(UpdateProduct, event.body);
      return json(200, await updateProduct(id, input, deps));
    },
    { body: true },
  );

export const handler = makeHandler({ products: productRepository(), clock: systemClock });
