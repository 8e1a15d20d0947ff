import { PGlite, types } from '@electric-sql/pglite';
import { runMigrations } from './migrations';
import { LOAD_LIMITS, type ExecuteResult, type MigrationReport, type Row, type SqlValue, type Statement, type Warehouse } from './port';

/**
 * The local warehouse: embedded Postgres (PGlite), in memory or persisted to a directory (LOCAL_DATA_DIR/warehouse).
 * Values come back in the same shapes the Redshift adapter produces, so callers never branch on the engine.
 */
export class PgliteWarehouse implements Warehouse {
  readonly loadLimits = LOAD_LIMITS.pglite;
  private constructor(private readonly db: PGlite) {}

  /** Opens (about 3 s of WASM start); `dataDir` undefined → in memory. */
  static async open(options: { dataDir?: string } = {}): Promise<PgliteWarehouse> {
    const db = await PGlite.create({
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      parsers: {
        // Redshift's Data API returns dates and timestamps as text and integers as numbers: match it.
        [types.DATE]: (v: string) => v,
        [types.TIMESTAMP]: (v: string) => v,
        [types.INT8]: (v: string) => Number(v),
        [types.NUMERIC]: (v: string) => Number(v),
      },
    });
    return new PgliteWarehouse(db);
  }

  migrate(): Promise<MigrationReport> {
    return runMigrations(this);
  }

  async execute(sql: string, params: readonly SqlValue[] = []): Promise<ExecuteResult> {
    const r = await this.db.query(sql, [...params]);
    return { rowsAffected: r.affectedRows ?? 0 };
  }

  async query<T extends object = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    const r = await this.db.query<T>(sql, [...params]);
    return r.rows;
  }

  async batch(statements: readonly Statement[]): Promise<ExecuteResult[]> {
    if (statements.length === 0) return [];
    // PGlite's transaction() commits when the callback resolves and rolls back when it throws.
    return this.db.transaction(async (tx) => {
      const results: ExecuteResult[] = [];
      for (const s of statements) {
        const r = await tx.query(s.sql, [...(s.params ?? [])]);
        results.push({ rowsAffected: r.affectedRows ?? 0 });
      }
      return results;
    });
  }

  async close(): Promise<void> {
    if (!this.db.closed) await this.db.close();
  }
}
