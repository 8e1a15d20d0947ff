/** What the evaluation tasks do with their tables: print them, and with --readme write them into ml/README.md. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fillSection } from '../src/forecast/evaluate';

const readmeFile = path.join(fileURLToPath(new URL('../..', import.meta.url)), 'ml/README.md');

/** Prints `markdown`; with `readme`, also replaces the text between `<!-- task:start -->` and `<!-- task:end -->`. */
export async function publishTables(
  markdown: string,
  task: 'forecast' | 'segments' | 'pricing',
  readme: boolean | undefined,
  log: (message: string) => void,
): Promise<void> {
  process.stdout.write(`${markdown}\n`);
  if (!readme) return;
  await fillSection(readmeFile, `<!-- ${task}:start -->`, `<!-- ${task}:end -->`, markdown);
  log(`Wrote the tables into ${readmeFile}`);
}
