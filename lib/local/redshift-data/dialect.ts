/**
 * The few statements where Redshift's SQL and Postgres' differ and the platform sends Redshift's (the migrations
 * run through the Data API with the Redshift dialect): access control. Redshift grants `TO ROLE r` / revokes
 * `FROM ROLE r` where Postgres says `TO r` / `FROM r`; and its readers' role stands for IAM identities that exist
 * before any migration, so the engine has it from its start (reader-role.ts) and `CREATE ROLE` of it is a no-op.
 * Everything else runs as sent: the warehouse's SQL keeps to what both engines accept (functions/analytics migrations).
 */
const ROLE_GRANTEE = /\b(TO|FROM)\s+ROLE\s+/gi;
const CREATE_ROLE = /^\s*CREATE\s+ROLE\s+([A-Za-z_][A-Za-z0-9_]*)\s*;?\s*$/i;

export function toPostgres(sql: string): string {
  const createRole = CREATE_ROLE.exec(sql);
  if (createRole) {
    const role = createRole[1];
    return `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role.toLowerCase()}') THEN CREATE ROLE ${role} NOLOGIN; END IF; END $$`;
  }
  if (!/^\s*(GRANT|REVOKE|ALTER\s+DEFAULT\s+PRIVILEGES)\b/i.test(sql)) return sql;
  return sql.replace(ROLE_GRANTEE, (_, direction: string) => `${direction} `);
}
