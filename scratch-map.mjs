import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { decode, encode } from '@jridgewell/sourcemap-codec';
const dir = process.argv[2], out = process.argv[3];
for (const f of readdirSync(dir).filter((f) => f.endsWith('.map'))) {
  const map = JSON.parse(readFileSync(`${dir}/${f}`, 'utf8'));
  const keep = map.sources.map((s) => !s.includes('node_modules/'));
  const lines = decode(map.mappings).map((segs) => segs.map((seg) => (seg.length > 1 && !keep[seg[1]] ? [seg[0]] : seg)));
  // Drop runs of unmapped segments: one marker where first-party code ends is enough.
  const compact = lines.map((segs) => segs.filter((seg, i) => seg.length > 1 || i === 0 || segs[i - 1].length > 1));
  map.mappings = encode(compact);
  writeFileSync(`${out}/${f}`, JSON.stringify(map));
}
