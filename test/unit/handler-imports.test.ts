/**
 * What a handler's cold start loads is what its import graph reaches (esbuild bundles from it; an `import()` is
 * evaluated only when called). So the functions import each SDK client from its own module, never the barrel that
 * holds them all, and the X-Ray tracer only through functions/shared/tracing.ts, which loads it on first need where
 * tracing is on.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { tracingActive } from '../../functions/shared/tracing';

const root = fileURLToPath(new URL('../../', import.meta.url));
const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
const functionSources = sources(path.join(root, 'functions')).map((file) => ({
  file: path.relative(root, file),
  text: readFileSync(file, 'utf8'),
}));

/** The specifiers of a file's static imports and re-exports (type-only ones load nothing, and are left out). */
const staticImports = (text: string) =>
  [...text.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]);

describe('what the functions import', () => {
  it('never the barrel of every shared client: each client from its own module', () => {
    const barrelUsers = functionSources
      .filter(({ file }) => file !== 'functions/shared/clients.ts')
      .filter(({ text }) => staticImports(text).some((s) => /(^|\/)shared\/clients$|^\.\/clients$/.test(s)))
      .map(({ file }) => file);
    expect(barrelUsers).toEqual([]);
  });

  it('the tracer only through functions/shared/tracing.ts, which imports it on first need', () => {
    const eager = functionSources
      .filter(({ text }) => staticImports(text).some((s) => s.startsWith('@aws-lambda-powertools/tracer')))
      .map(({ file }) => file);
    expect(eager).toEqual([]);
    const tracing = functionSources.find(({ file }) => file === 'functions/shared/tracing.ts')!.text;
    expect(tracing).toContain("import('@aws-lambda-powertools/tracer')");
  });

  it("the order read routes load the archive's S3 client on their first archived order only", () => {
    const deps = functionSources.find(({ file }) => file === 'functions/orders/deps.ts')!.text;
    expect(staticImports(deps).filter((s) => /s3-client|s3-archive-store/.test(s))).toEqual([]);
    const reader = functionSources.find(({ file }) => file === 'functions/orders/archive/archive-reader.ts')!.text;
    expect(staticImports(reader).filter((s) => !s.startsWith('./ports'))).toEqual([]);
    expect(reader).toContain("import('./s3-archive-store')");
    expect(reader).toContain("import('../../shared/s3-client')");
  });

  it('the audit trail loads the Kinesis publisher on its first write only', () => {
    const audit = functionSources.find(({ file }) => file === 'functions/shared/audit.ts')!.text;
    expect(staticImports(audit)).not.toContain('./audit-publisher');
    expect(audit).toContain("import('./audit-publisher')");
  });
});

describe('tracingActive: where the tracer is loaded at all (Powertools’ own rule)', () => {
  const lambda = { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x' };
  it.each([
    ['a Lambda function (tracing ACTIVE)', lambda, true],
    ['a Lambda function with POWERTOOLS_TRACE_ENABLED=true', { ...lambda, POWERTOOLS_TRACE_ENABLED: 'true' }, true],
    ['POWERTOOLS_TRACE_ENABLED=false', { ...lambda, POWERTOOLS_TRACE_ENABLED: 'FALSE' }, false],
    ['outside Lambda (the local platform, tests)', {}, false],
    ['SAM local', { ...lambda, AWS_SAM_LOCAL: 'true' }, false],
    ["Amplify's mock", { AWS_EXECUTION_ENV: 'AWS_Lambda_amplify-mock' }, false],
  ])('%s', (_name, env, expected) => {
    expect(tracingActive(env)).toBe(expected);
  });
});
