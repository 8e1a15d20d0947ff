/** Shapes shared by the Redshift Data API emulator's files. */

/** One SQL statement as the engine runs it: positional `$n` parameters, every value text. */
export interface SqlStatement {
  sql: string;
  params: string[];
}

/** What the engine returns for one statement. */
export interface StatementOutcome {
  fields: { name: string; dataTypeID: number }[];
  rows: unknown[][];
  affectedRows: number;
}

/** Who a statement runs as: the warehouse's owner (the admin secret), or the read-only reader role. */
export type Identity = 'owner' | 'reader';

/** The warehouse the emulator stands for. */
export interface WarehouseTarget {
  workgroupName: string;
  database: string;
  /** The Secrets Manager ARN of the owner's credentials (the loaders'); any other caller is the reader. */
  adminSecretArn: string;
  /** The database user name of the owner, for callers that name a DbUser (clusters' temporary credentials). */
  adminDbUser: string;
}

export type Status = 'SUBMITTED' | 'STARTED' | 'FINISHED' | 'FAILED' | 'ABORTED';

export type Json = Record<string, unknown>;
