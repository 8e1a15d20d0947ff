/**
 * Reading a function's split bundle (lib/contexts/function-bundling.ts) from esbuild's metafile: which of its files a
 * cold start reads.
 */
import path from 'node:path';
import type { Metafile } from 'esbuild';
import { FUNCTION_ENTRY_FILE } from '../../lib/contexts/function-bundling';

/**
 * What a fresh import of index.mjs loads: it and the chunks it imports statically, transitively. (Not "the" entry
 * point of the metafile: esbuild marks each chunk an `import()` loads as an entry point too.)
 */
export function loadedAtInit(metafile: Metafile): Set<string> {
  const outputs = metafile.outputs;
  const entry = Object.keys(outputs).find((file) => path.basename(file) === FUNCTION_ENTRY_FILE);
  if (!entry) throw new Error(`the metafile has no ${FUNCTION_ENTRY_FILE}`);
  const loaded = new Set<string>();
  const visit = (file: string) => {
    if (loaded.has(file)) return;
    loaded.add(file);
    for (const i of outputs[file].imports) if (i.kind === 'import-statement' && !i.external) visit(i.path);
  };
  visit(entry);
  return loaded;
}
