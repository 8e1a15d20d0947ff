/**
 * What any function of the platform is, as data, whoever lists it (the route table, the saga and its jobs,
 * the stream consumers), and what it may be granted beyond its tables: the vocabulary those lists share, so
 * none of them has to import another for it.
 */
import type { BoundedContext } from '../functions/api/contract';
import type { TableAccess, TableKey } from './tables';
import type { BucketKey } from './buckets';

/** What a function may do with a bucket it names: read its objects, write them, or both. */
export type BucketAccess = 'read' | 'write' | 'readwrite';

/**
 * Object actions on key prefixes only, for a function whose keys follow a layout it is told (the images bucket:
 * uploads, variants, quarantine). `list` grants key names (HeadObject answers 404, not 403, for a missing key).
 */
export interface BucketPrefixGrant {
  get?: readonly string[];
  put?: readonly string[];
  delete?: readonly string[];
  list?: true;
}

/** A whole bucket's objects by access, or some of its prefixes by action. */
export type BucketGrant = BucketAccess | BucketPrefixGrant;

export interface FunctionSpec {
  id: string;
  context: BoundedContext;
  handler: string;
  summary: string;
  tables: Partial<Record<TableKey, TableAccess>>;
  /** The S3 buckets it uses: each is granted and passed in as an environment variable (lib/buckets.ts). */
  buckets?: Partial<Record<BucketKey, BucketGrant>>;
}

/**
 * What a function may do in the warehouse: load it (the consumers: the admin credentials, migrations), read it
 * (the analytics API: its own IAM identity, mapped to the read-only reader role), or only see whether it is up
 * (the health check: the workgroup's status, no SQL).
 */
export type WarehouseAccess = 'read' | 'write' | 'status';

/**
 * What a function may do with the products index: query the alias (the search routes), write documents and
 * create the index and alias when there is none (the indexer), or only ask the cluster's health (the health
 * check). The reindex command, run by an operator, also creates, swaps and deletes indexes.
 */
export type SearchAccess = 'read' | 'write' | 'status';
