import { requireGroup } from '../../../shared/auth';
import { httpHandler, json, parse } from '../../../shared/http';
import { liveImageRecords } from '../deps';
import { imageStatus } from '../domain/images';
import type { ImageDeps } from '../ports';
import { ImageKeyParams } from '../schemas';

export const makeHandler = (deps: Pick<ImageDeps, 'records'>) =>
  httpHandler(async (event) => {
    requireGroup(event, 'admin');
    const { id, imageKey } = parse(ImageKeyParams, event.pathParameters);
    return json(200, await imageStatus(id, imageKey, deps));
  });

export const handler = makeHandler(liveImageRecords());
