/**
 * How every function's code is built, for CDK (`functionCode`) and for the bench that times it (`functionBuildOptions`):
 * esbuild from the handler into an ES module `index.mjs` and the chunks it loads, tree-shaken and minified, with the
 * SDK bundled.
 *
 * Code splitting is why this is not NodejsFunction's own bundling, which writes one file and cannot split: what a
 * handler reaches only through `import()` (the X-Ray tracer, the audit trail's Kinesis publisher, the SDK's
 * credential providers for other sources) goes to chunks that a cold start neither reads nor parses, nor loads the
 * Node built-ins they import. `npm run bench -- --only bundles` measures the init each handler pays.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, type DockerImage, type ILocalBundling } from 'aws-cdk-lib';
import { Code } from 'aws-cdk-lib/aws-lambda';
import type { BuildOptions } from 'esbuild';

/** Handler paths in the route table and lib/saga.ts are relative to the project root, two levels above this file. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The module every function's bundle gets for `node:http`, and the import paths that name it. */
export const NODE_HTTP_SHIM = join(PROJECT_ROOT, 'lib/contexts/node-http-shim.ts');
export const NODE_HTTP_ALIASES = ['node:http', 'http'] as const;
/** The module every function's bundle gets for `node:http2` (loaded on first use), and the paths that name it. */
export const NODE_HTTP2_SHIM = join(PROJECT_ROOT, 'lib/contexts/node-http2-shim.ts');
export const NODE_HTTP2_ALIASES = ['node:http2', 'http2'] as const;

/**
 * middy 7 ships only ESM, so functions are ESM; a few CommonJS dependencies still call `require`, which an ES module
 * does not have until it makes one. esbuild puts the banner on every file it writes, chunks included.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/** The file Lambda loads; every chunk sits beside it, so `import.meta.url` paths stay as they were. */
export const FUNCTION_ENTRY_FILE = 'index.mjs';
/** The functions' handler setting: the `handler` export of index.mjs. */
export const FUNCTION_HANDLER = 'index.handler';

/**
 * Where a bundle's @aws-sdk/* code comes from: bundled (tree-shaken and minified with the handler, as deployed) or
 * the copy the nodejs22.x runtime provides (external, loaded from its node_modules at init), which the bench times
 * beside it.
 */
export type SdkSource = 'bundled' | 'runtime';

export interface FunctionBuild {
  /** The handler's source file, absolute. */
  readonly entry: string;
  /** The folder the bundle is written to: `index.mjs`, its chunks and their source maps. */
  readonly outdir: string;
  /** 'bundled' unless the bench asks for the runtime's copy. */
  readonly sdk?: SdkSource;
  /** Packages left out of the bundle and installed beside it (native addons). */
  readonly nodeModules?: readonly string[];
}

/** The esbuild options of a function's bundle: one definition for the deployed code and the bench. */
export function functionBuildOptions({ entry, outdir, sdk = 'bundled', nodeModules = [] }: FunctionBuild) {
  return {
    // tsconfig.json and node_modules are found from the project root, whoever calls.
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [entry],
    outdir,
    entryNames: 'index',
    // Flat, beside index.mjs: a chunk's import.meta.url is then the folder the handler's was before splitting.
    chunkNames: '[name]-[hash]',
    // A .js file is CommonJS to Lambda's Node without a package.json saying otherwise: every file is .mjs.
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    // Prefer packages' ESM builds: they tree-shake, and the cold start pays for every byte imported.
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    minify: true,
    // Linked source maps (NODE_OPTIONS=--enable-source-maps): stack traces need the mappings, not a second copy of
    // every source file.
    sourcemap: 'linked',
    sourcesContent: false,
    // The SDK is bundled, not taken from the nodejs22.x runtime: tree-shaken and minified, a handler's init costs
    // well under half what importing the runtime's copy (CommonJS, hundreds of files) costs.
    external: [...(sdk === 'runtime' ? ['@aws-sdk/*'] : []), ...nodeModules],
    // `node:http` through CommonJS require, not an ES import: see lib/contexts/node-http-shim.ts (~30 ms of init);
    // `node:http2` on first use, which no function's request comes to: lib/contexts/node-http2-shim.ts.
    alias: Object.fromEntries([
      ...NODE_HTTP_ALIASES.map((name) => [name, NODE_HTTP_SHIM] as const),
      ...NODE_HTTP2_ALIASES.map((name) => [name, NODE_HTTP2_SHIM] as const),
    ]),
    metafile: true,
    logLevel: 'warning',
  } satisfies BuildOptions;
}

export interface FunctionBundle extends Omit<FunctionBuild, 'outdir' | 'sdk'> {
  /** Folders (from the project root) the function reads at run time, copied beside index.mjs by their names. */
  readonly files?: readonly string[];
}

/**
 * Builds a function's bundle into `outdir`: esbuild, then the folders it reads beside it, then the packages it
 * installs (for Lambda's platform, linux arm64, whatever the machine that builds).
 */
export function bundleFunction(bundle: FunctionBundle, outdir: string): void {
  // Loaded only when CDK really bundles: a synth that skips bundling (the infra tests) never needs esbuild.
  const esbuild = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  esbuild.buildSync(functionBuildOptions({ ...bundle, outdir }));
  for (const folder of bundle.files ?? [])
    cpSync(join(PROJECT_ROOT, folder), join(outdir, basename(folder)), { recursive: true });
  if (bundle.nodeModules?.length) installBeside(bundle.nodeModules, outdir);
}

/**
 * As NodejsFunction's `nodeModules` does it: a package.json naming the packages at the project's version ranges,
 * the project's lock file, `npm ci` (the lock pins every version), for the function's platform.
 */
function installBeside(packages: readonly string[], outdir: string) {
  const manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  const dependencies = Object.fromEntries(
    packages.map((name) => {
      const range = manifest.dependencies?.[name];
      if (!range)
        throw new Error(`${name} is installed beside a function's bundle but is not a dependency in package.json`);
      return [name, range];
    }),
  );
  writeFileSync(join(outdir, 'package.json'), JSON.stringify({ dependencies }));
  copyFileSync(join(PROJECT_ROOT, 'package-lock.json'), join(outdir, 'package-lock.json'));
  const npm = spawnSync('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund'], {
    cwd: outdir,
    env: { ...process.env, npm_config_os: 'linux', npm_config_cpu: 'arm64', npm_config_libc: 'glibc' },
    encoding: 'utf8',
  });
  if (npm.status !== 0) throw new Error(`npm ci beside the bundle failed: ${npm.stderr || npm.stdout}`);
}

/** The CDK side: a local bundling step (there is no Docker fallback: esbuild is a devDependency). */
class LocalFunctionBundling implements ILocalBundling {
  constructor(private readonly bundle: FunctionBundle) {}

  tryBundle(outputDir: string): boolean {
    bundleFunction(this.bundle, outputDir);
    return true;
  }
}

/** A function's deployable code: its bundle, the asset hashed from what was built. */
export function functionCode(bundle: FunctionBundle, bundlingImage: DockerImage): Code {
  return Code.fromAsset(PROJECT_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    // CDK asks for an image in case local bundling declines; ours never declines (it throws instead).
    bundling: { image: bundlingImage, local: new LocalFunctionBundling(bundle) },
  });
}
