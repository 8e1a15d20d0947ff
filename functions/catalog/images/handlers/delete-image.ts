import { requireGroup } from '../../../shared/auth';
import { httpHandler, json, parse } from '../../../shared/http';
import { liveImageDeps } from '../deps';
import { removeImage } from '../domain/images';
import { ImageKeyParams } from '../schemas';

type Deps = Parameters<typeof removeImage>[2];

export const makeHandler = (deps: Deps) =>
  httpHandler(async (event) => {
    requireGroup(event, 'admin');
    const { id, imageKey } = parse(ImageKeyParams, event.pathParameters);
    return json(200, await removeImage(id, imageKey, deps));
  });

export const handler = makeHandler(liveImageDeps());
