/**
 * Document versions as OpenSearch keeps them. `version_type: external` (the product's own `version`, from the
 * products stream) writes only a version higher than the stored one, `external_gte` a higher or equal one;
 * anything else is refused for that document with 409 `version_conflict_engine_exception`, so an out-of-order or
 * repeated delivery never takes a document back. A delete leaves a tombstone with its version for
 * `index.gc_deletes` (60 s by default, as OpenSearch): a late, older write of the deleted document is refused.
 */
import { illegalArgument, SearchError } from './errors';

export type VersionType = 'internal' | 'external' | 'external_gte';

export interface WriteVersion {
  type: VersionType;
  /** Required with the external types; with `internal` OpenSearch refuses one (use if_seq_no). */
  version?: number;
}

const VERSION_TYPES: readonly string[] = ['internal', 'external', 'external_gte'];

/** The `version` and `version_type` of a request (URL parameters or bulk action metadata), validated. */
export function writeVersion(version: unknown, versionType: unknown): WriteVersion {
  const type = versionType === undefined ? 'internal' : String(versionType);
  if (!VERSION_TYPES.includes(type))
    throw illegalArgument(
      `No version type match [${type}] (the local search engine supports internal, external, external_gte)`,
    );
  if (version === undefined) {
    if (type !== 'internal') throw validation(`an external version must be set with version_type [${type}]`);
    return { type: 'internal' };
  }
  const number = typeof version === 'string' && /^-?\d+$/.test(version) ? Number(version) : version;
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 0) {
    throw illegalArgument(
      `[version] must be an integer from 0 to ${Number.MAX_SAFE_INTEGER} on the local search engine but was [${String(version)}]`,
    );
  }
  if (type === 'internal')
    throw validation(
      'internal versioning can not be used for optimistic concurrency control. Please use `if_seq_no` and `if_primary_term` instead',
    );
  return { type: type as VersionType, version: number };
}

/** The version a write stores, given the stored one (a live document's or a tombstone's); throws on conflict. */
export function nextVersion(
  current: number | undefined,
  write: WriteVersion,
  conflict: (message: string) => SearchError,
): number {
  if (write.type === 'internal') return (current ?? 0) + 1;
  const wanted = write.version!;
  if (current === undefined) return wanted;
  if (write.type === 'external' && wanted <= current)
    throw conflict(`version conflict, current version [${current}] is higher or equal to the one provided [${wanted}]`);
  if (write.type === 'external_gte' && wanted < current)
    throw conflict(`version conflict, current version [${current}] is higher than the one provided [${wanted}]`);
  return wanted;
}

const validation = (reason: string) =>
  new SearchError(400, 'action_request_validation_exception', `Validation Failed: 1: ${reason};`);
