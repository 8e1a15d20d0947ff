/** The actions on queues themselves: creating, finding, listing, configuring, tagging, purging and deleting. */
import { invalidParameter, nonExistentQueue, SqsError, unsupported } from './errors';
import { compact, optInt, optString, optStringList, optStringMap, reqString } from './input';
import { INTEGER_ATTRIBUTES, intAttribute, normalizeAttributes } from './queue-attributes';
import { queueArn, type QueueStore } from './store';
import type { Action } from './action';
import { SQS_ACCOUNT_ID, type Input, type Queue } from './types';

const byName = (a: Queue, b: Queue) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** One page of a list of queue URLs; the NextToken is the offset of the next page. */
function listPage(urls: string[], input: Input, key: string) {
  const max = optInt(input, 'MaxResults', 1, 1000);
  const token = optString(input, 'NextToken');
  const start = token ? Number(Buffer.from(token, 'base64url').toString()) : 0;
  if (!Number.isInteger(start) || start < 0) throw invalidParameter('NextToken', token, 'Invalid NextToken value');
  const page = urls.slice(start, start + (max ?? 1000));
  const next =
    max !== undefined && start + page.length < urls.length
      ? Buffer.from(String(start + page.length)).toString('base64url')
      : undefined;
  return compact({ [key]: page.length ? page : undefined, NextToken: next });
}

/** CreateQueue of an existing name succeeds only when every attribute it gives has the queue's current value. */
function checkSameAttributes(existing: Queue, attributes: Record<string, string>): void {
  for (const [attribute, value] of Object.entries(attributes)) {
    const current =
      existing.attributes[attribute] ??
      (INTEGER_ATTRIBUTES[attribute] ? String(intAttribute(existing, attribute)) : '');
    if (current !== value) {
      throw new SqsError(
        'QueueNameExists',
        `A queue already exists with the same name and a different value for attribute ${attribute}`,
        'QueueAlreadyExists',
      );
    }
  }
}

const queueOf = (store: QueueStore, input: Input) => store.byUrl(reqString(input, 'QueueUrl'));
const deadLetterTargetExists = (store: QueueStore) => (arn: string) => store.byArn(arn) !== undefined;

export const queueActions: Record<string, Action> = {
  CreateQueue(store, input, context) {
    const name = reqString(input, 'QueueName');
    if (name.endsWith('.fifo')) throw unsupported('A FIFO queue');
    if (!/^[\w-]{1,80}$/.test(name)) {
      throw invalidParameter(
        'QueueName',
        name,
        'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
      );
    }
    const attributes = normalizeAttributes(optStringMap(input, 'Attributes'), true, deadLetterTargetExists(store));
    const tags = optStringMap(input, 'tags');
    const existing = store.named(name);
    if (existing) {
      checkSameAttributes(existing, attributes);
      return { QueueUrl: store.url(existing) };
    }
    if (attributes.RedrivePolicy === '') delete attributes.RedrivePolicy;
    const now = Date.now();
    const q: Queue = {
      name,
      region: context.region,
      createdAt: now,
      modifiedAt: now,
      attributes,
      tags: { ...tags },
      messages: new Map(),
    };
    store.add(q);
    return { QueueUrl: store.url(q) };
  },

  GetQueueUrl(store, input) {
    const name = reqString(input, 'QueueName');
    const owner = optString(input, 'QueueOwnerAWSAccountId');
    const q = store.named(name);
    if (!q || (owner !== undefined && owner !== SQS_ACCOUNT_ID)) throw nonExistentQueue();
    return { QueueUrl: store.url(q) };
  },

  ListQueues(store, input) {
    const prefix = optString(input, 'QueueNamePrefix') ?? '';
    const urls = store
      .all()
      .filter((q) => q.name.startsWith(prefix))
      .sort(byName)
      .map((q) => store.url(q));
    return listPage(urls, input, 'QueueUrls');
  },

  ListDeadLetterSourceQueues(store, input) {
    const target = queueArn(queueOf(store, input));
    const urls = store
      .all()
      .filter((q) => store.redrivePolicy(q)?.deadLetterTargetArn === target)
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((q) => store.url(q));
    return { queueUrls: [], ...listPage(urls, input, 'queueUrls') };
  },

  GetQueueAttributes(store, input) {
    const q = queueOf(store, input);
    const attributes = store.attributes(q, optStringList(input, 'AttributeNames'));
    return compact({ Attributes: Object.keys(attributes).length ? attributes : undefined });
  },

  SetQueueAttributes(store, input) {
    const q = queueOf(store, input);
    const attributes = normalizeAttributes(optStringMap(input, 'Attributes'), false, deadLetterTargetExists(store));
    for (const [name, value] of Object.entries(attributes)) {
      if (name === 'RedrivePolicy' && value === '') delete q.attributes.RedrivePolicy;
      else q.attributes[name] = value;
    }
    q.modifiedAt = Date.now();
    store.changed(q);
    return {};
  },

  DeleteQueue(store, input) {
    store.remove(queueOf(store, input));
    return {};
  },

  PurgeQueue(store, input) {
    const q = queueOf(store, input);
    q.messages.clear();
    store.changed(q);
    return {};
  },

  TagQueue(store, input) {
    const q = queueOf(store, input);
    Object.assign(q.tags, optStringMap(input, 'Tags'));
    store.changed(q);
    return {};
  },

  UntagQueue(store, input) {
    const q = queueOf(store, input);
    for (const key of optStringList(input, 'TagKeys')) delete q.tags[key];
    store.changed(q);
    return {};
  },

  ListQueueTags(store, input) {
    const q = queueOf(store, input);
    return compact({ Tags: Object.keys(q.tags).length ? { ...q.tags } : undefined });
  },
};
