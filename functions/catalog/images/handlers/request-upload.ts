import { requireGroup } from '../../../shared/auth';
import { httpHandler, json, parse } from '../../../shared/http';
import { ProductIdParams } from '../../schemas';
import { liveImageDeps } from '../deps';
import { requestUpload } from '../domain/images';
import { RequestImageUpload } from '../schemas';

type Deps = Parameters<typeof requestUpload>[2];

export const makeHandler = (deps: Deps) =>
  httpHandler(
    async (event) => {
      requireGroup(event, 'admin');
      const { id } = parse(ProductIdParams, event.pathParameters);
      const input = parse(RequestImageUpload, event.body);
      const ticket = await requestUpload(id, input, deps);
      return json(201, ticket, { location: `/v1/products/${id}/images/${ticket.imageKey}` });
    },
    { body: true },
  );

export const handler = makeHandler(liveImageDeps());
