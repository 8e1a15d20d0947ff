import path from 'node:path';

/**
 * A fixture's path under its `events/` folder, with `/` separators (`sfn/execution/visa.json`): what tells
 * replay its kind and, for a saga fixture, its given. The nearest `events` folder above the file counts, so a
 * copy kept outside this repository (a captured event, a test's variant) replays like the original.
 */
export function fixturePathOf(file: string): string | undefined {
  const parts = path.resolve(file).split(path.sep);
  const events = parts.lastIndexOf('events', parts.length - 2);
  return events < 0 ? undefined : parts.slice(events + 1).join('/');
}
