import type { PGlite, PGliteOptions } from '@electric-sql/pglite';

/**
 * PGlite.create(options): a new database (no dataDir: in memory) from the template when there is one, else made
 * and archived as the template. `template` is the archive's path (tests); by default this PGlite release's.
 */
export declare function createPGlite(options: PGliteOptions, template?: string): Promise<PGlite>;
