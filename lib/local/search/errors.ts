/**
 * OpenSearch's error shape: `{"error":{"root_cause":[{type,reason,…}],type,reason,…},"status":N}`. Every refusal
 * of the local engine is one of these, with the exception type OpenSearch itself uses for the same fault, so a
 * client (and the adapter's error mapping) cannot tell the local engine's errors from the service's.
 */
export class SearchError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly reason: string,
    /** Extra fields OpenSearch puts beside type and reason (`index`, `index_uuid`, `resource.id`…). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(reason);
  }

  body(): { error: Record<string, unknown>; status: number } {
    const cause = { type: this.type, reason: this.reason, ...this.details };
    return { error: { root_cause: [cause], ...cause }, status: this.status };
  }

  /** The `error` object of a bulk item. */
  itemError(): Record<string, unknown> {
    return { type: this.type, reason: this.reason, ...this.details };
  }
}

/** A request body or query that OpenSearch's parser would reject (400 `parsing_exception`). */
export const parsingError = (reason: string) => new SearchError(400, 'parsing_exception', reason);

/** A parameter with a value OpenSearch refuses (400 `illegal_argument_exception`). */
export const illegalArgument = (reason: string) => new SearchError(400, 'illegal_argument_exception', reason);

/** A part of OpenSearch's API the local engine does not implement: refused, never answered wrongly. */
export const unsupported = (what: string) =>
  parsingError(
    `${what} is not supported by the local search engine (it implements the subset of OpenSearch that functions/search uses)`,
  );

export const indexNotFound = (name: string) =>
  new SearchError(404, 'index_not_found_exception', `no such index [${name}]`, {
    'resource.type': 'index_or_alias',
    'resource.id': name,
    index_uuid: '_na_',
    index: name,
  });
