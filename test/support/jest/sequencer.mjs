// Test files in a fixed order, larger files first: the order the suite ran in before jest on a clean clone (as
// CI runs it), which the integration files, sharing one platform, were written against. jest's default order
// follows the durations of the last run on this machine, so a file's neighbours (and what the platform holds
// when it starts) would change from run to run.
import { statSync } from 'node:fs';
import Sequencer from '@jest/test-sequencer';

export default class LargerFilesFirst extends Sequencer {
  sort(tests) {
    const size = (test) => statSync(test.path).size;
    return [...tests].sort((a, b) => size(b) - size(a) || a.path.localeCompare(b.path));
  }
}
