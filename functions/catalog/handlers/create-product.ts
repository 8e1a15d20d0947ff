import { requireGroup } from '../../shared/auth';
import { httpHandler, json, parse } from '../../shared/http';
import { isTestRequest } from '../../shared/test-data';
import { createProduct } from '../domain/products';
import { liveCatalogDeps } from '../deps';
import type { CatalogDeps } from '../ports';
import { CreateProduct } from '../schemas';

export const makeHandler = (deps: CatalogDeps) =>
  httpHandler(
    async (event) => {
      requireGroup(event, 'admin');
      const input = parse(CreateProduct, event.body);
      const product = await createProduct(input, deps, { testData: isTestRequest(event) });
      return json(201, product, { location: `/v1/products/${product.id}` });
    },
    { body: true },
  );

export const handler = makeHandler(liveCatalogDeps());
