/**
 * The house rules, read from the code itself: every rule scans the whole tree, so a file added tomorrow is
 * held to it without anyone remembering to list it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const rel = (file: string) => path.relative(root, file).split(path.sep).join('/');

/** The top-level folders of source, highest first: a folder may import those below it, never one above. */
const LAYERS = ['bin', 'lib', 'functions', 'ml', 'catalog-data'] as const;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...sourceFiles(full));
    else if (/\.ts$/.test(name) && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

/** The local substrate: an npm workspace that bin/ and the tests import by name, and the app never imports. */
const LOCAL_PLATFORM = '@ecicomm/local-platform';
const LOCAL_PLATFORM_DIR = 'lib/local';

const files = LAYERS.flatMap((layer) => sourceFiles(path.join(root, layer)));

interface Import {
  specifier: string;
  /** The file of this tree it names (relative specifiers only). */
  target?: string;
  /** `import type` / `export type`: no code runs for it. */
  typeOnly: boolean;
}

function resolve(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, base.replace(/\.js$/, '.ts'), path.join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

const parsed = new Map<string, { source: ts.SourceFile; imports: Import[] }>();
function read(file: string) {
  let entry = parsed.get(file);
  if (entry) return entry;
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const imports: Import[] = [];
  const add = (specifier: string, typeOnly: boolean) =>
    imports.push({ specifier, target: resolve(file, specifier), typeOnly });
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const allTypes =
        clause?.isTypeOnly === true ||
        (clause !== undefined &&
          !clause.name &&
          clause.namedBindings !== undefined &&
          ts.isNamedImports(clause.namedBindings) &&
          clause.namedBindings.elements.length > 0 &&
          clause.namedBindings.elements.every((e) => e.isTypeOnly));
      add(node.moduleSpecifier.text, allTypes);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, node.isTypeOnly);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      add(node.arguments[0].text, false);
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      add(node.argument.literal.text, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  entry = { source, imports };
  parsed.set(file, entry);
  return entry;
}

const layerOf = (file: string) => rel(file).split('/')[0];

/** Packages and files whose code a domain must not run: the middleware, the SDK, the logger singleton. */
const RUNTIME_PACKAGES = [/^@middy\//, /^@aws-lambda-powertools\//, /^@aws-sdk\//];
const LOGGER_SINGLETON = 'functions/shared/observability.ts';

/**
 * What `file` reaches by running its imports (type-only ones run nothing), itself included, each with the
 * import chain that gets there.
 */
function reachable(file: string): Map<string, string[]> {
  const seen = new Map<string, string[]>([[file, [rel(file)]]]);
  const queue = [file];
  while (queue.length) {
    const at = queue.shift()!;
    for (const imp of read(at).imports) {
      if (imp.typeOnly || !imp.target || seen.has(imp.target)) continue;
      seen.set(imp.target, [...seen.get(at)!, rel(imp.target)]);
      queue.push(imp.target);
    }
  }
  return seen;
}

/** A domain's forbidden imports, straight or through the files it runs, as "chain -> what". */
function runtimeReach(file: string): string[] {
  const found: string[] = [];
  for (const [reached, chain] of reachable(file)) {
    if (rel(reached) === LOGGER_SINGLETON) found.push(`${chain.join(' -> ')} (the logger singleton)`);
    for (const imp of read(reached).imports) {
      // A domain file may not name the SDK or the middleware even for a type; what it runs may not either.
      if ((reached === file || !imp.typeOnly) && RUNTIME_PACKAGES.some((p) => p.test(imp.specifier))) {
        found.push(`${chain.join(' -> ')} -> ${imp.specifier}`);
      }
    }
  }
  return found;
}

/**
 * Known breaches, each with why it stands; the test fails when one is mended and left listed, so the list
 * only shrinks. functions/analytics is being restructured on its own branch.
 */
const KNOWN: Record<string, string> = {};

const domainFiles = files.filter((f) => /^functions\/[^/]+\/(domain\/.*|ports)\.ts$/.test(rel(f)));
const adapterFiles = files.filter((f) => /^functions\/[^/]+\/adapters\//.test(rel(f)));

describe('the architecture', () => {
  it('finds the tree it guards', () => {
    expect(domainFiles.length).toBeGreaterThan(20);
    expect(adapterFiles.length).toBeGreaterThan(20);
  });

  it('keeps domain code and ports free of middy, Powertools, the AWS SDK and the logger singleton, straight or through what they run', () => {
    const breaches = Object.fromEntries(
      domainFiles
        .filter((f) => !(rel(f) in KNOWN))
        .map((f) => [rel(f), runtimeReach(f)] as const)
        .filter(([, found]) => found.length > 0),
    );
    expect(breaches).toEqual({});
  });

  it('hands adapters their logger through deps, never the singleton', () => {
    const breaches = adapterFiles
      .map(rel)
      .filter(
        (f) =>
          !(f in KNOWN) && read(path.join(root, f)).imports.some((i) => i.target && rel(i.target) === LOGGER_SINGLETON),
      );
    expect(breaches).toEqual([]);
  });

  it('still has every known breach it lists (mended ones leave the list)', () => {
    const stillThere = Object.keys(KNOWN).filter(
      (f) => existsSync(path.join(root, f)) && runtimeReach(path.join(root, f)).length > 0,
    );
    expect(stillThere).toEqual(Object.keys(KNOWN));
  });

  it('exports makeHandler(deps) from every handler module, so tests pass in their own adapters', () => {
    const exportsOf = (file: string) => {
      const names = new Set<string>();
      for (const statement of read(file).source.statements) {
        const exported =
          ts.canHaveModifiers(statement) &&
          ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
        if (exported && ts.isVariableStatement(statement))
          for (const d of statement.declarationList.declarations) names.add(d.name.getText());
        if (exported && ts.isFunctionDeclaration(statement) && statement.name) names.add(statement.name.text);
        if (ts.isExportDeclaration(statement) && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
          for (const e of statement.exportClause.elements) names.add(e.name.text);
        }
      }
      return names;
    };
    const handlers = files.filter((f) => rel(f).startsWith('functions/') && exportsOf(f).has('handler'));
    expect(handlers.length).toBeGreaterThan(30);
    expect(handlers.filter((f) => !exportsOf(f).has('makeHandler')).map(rel)).toEqual([]);
  });

  it('imports only downward between top-level folders: functions/ and ml/ never reach lib/, catalog-data/ reaches none', () => {
    const upward: string[] = [];
    for (const file of files) {
      const from = LAYERS.indexOf(layerOf(file) as (typeof LAYERS)[number]);
      for (const imp of read(file).imports) {
        if (!imp.target) continue;
        const to = LAYERS.indexOf(layerOf(imp.target) as (typeof LAYERS)[number]);
        if (to >= 0 && to < from) upward.push(`${rel(file)} -> ${rel(imp.target)}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('keeps the local platform a package of its own: only bin/ and the tests use it, by its name', () => {
    const manifest = JSON.parse(readFileSync(path.join(root, LOCAL_PLATFORM_DIR, 'package.json'), 'utf8')) as {
      name: string;
    };
    const workspaces = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { workspaces?: string[] })
      .workspaces;
    expect(manifest.name).toBe(LOCAL_PLATFORM);
    expect(workspaces).toContain(LOCAL_PLATFORM_DIR);
    const inside = (file: string) => rel(file).startsWith(`${LOCAL_PLATFORM_DIR}/`);
    const names = (specifier: string) => specifier === LOCAL_PLATFORM || specifier.startsWith(`${LOCAL_PLATFORM}/`);
    const breaches: string[] = [];
    for (const file of [...files, ...sourceFiles(path.join(root, 'test'))]) {
      const user = rel(file).startsWith('bin/') || rel(file).startsWith('test/');
      for (const imp of read(file).imports) {
        if (inside(file) && names(imp.specifier))
          breaches.push(`${rel(file)} -> ${imp.specifier} (inside the package: a relative import)`);
        if (!inside(file) && imp.target && inside(imp.target))
          breaches.push(`${rel(file)} -> ${rel(imp.target)} (by path: import ${LOCAL_PLATFORM})`);
        if (!inside(file) && !user && names(imp.specifier))
          breaches.push(`${rel(file)} -> ${imp.specifier} (the app never runs the local platform)`);
      }
    }
    expect(breaches).toEqual([]);
  });

  it('defines Group once', () => {
    const definitions: string[] = [];
    for (const file of files) {
      for (const statement of read(file).source.statements) {
        const named =
          (ts.isTypeAliasDeclaration(statement) ||
            ts.isInterfaceDeclaration(statement) ||
            ts.isEnumDeclaration(statement)) &&
          statement.name.text === 'Group';
        if (named) definitions.push(rel(file));
      }
    }
    expect(definitions).toEqual(['functions/shared/auth.ts']);
  });
});
