/**
 * `npx tsx test/bench/cpu-profile-summary.ts <file.cpuprofile> [top]`: a platform child's CPU profile
 * (./cpu-profile.ts) summarised as the top self-time frames and the share of CPU by part of the platform
 * (the edge, the Lambda invoker, the Step Functions engine, the SDK, the handlers, the stream consumers…),
 * inclusive of what each part calls outside itself only where it is the first named part on the stack.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Parts of the platform by where their code lives, most specific first. */
const PARTS: [string, RegExp][] = [
  ['Step Functions engine (aws-local-stepfunctions)', /aws-local-stepfunctions/],
  ['JSONPath / JMESPath', /jsonpath|jmespath/],
  ['Powertools', /@aws-lambda-powertools/],
  ['DynamoDB document marshalling', /lib-dynamodb|util-dynamodb/],
  ['AWS SDK: signing, HTTP, middleware', /@aws-sdk|@smithy|@aws-crypto/],
  ['zod', /\/zod\//],
  ['X-Ray SDK / cls-hooked', /aws-xray-sdk|cls-hooked|async-hook-jl/],
  ['kinesalite / leveldb', /kinesalite|level|memdown|abstract-leveldown/],
  ['local edge', /lib\/local\/edge\//],
  ['local Lambda invoker', /lib\/local\/lambda\//],
  ['local Step Functions', /lib\/local\/stepfunctions\//],
  [
    'local event sources (streams, queues, bus)',
    /lib\/local\/(event-source-mappings|eventbridge|sqs|kinesis|firehose)/,
  ],
  ['local platform (other)', /lib\/local\//],
  ['handlers (functions/)', /\/functions\//],
  ['bench taps', /test\/bench\//],
  ['other node_modules', /node_modules/],
  ['Node internals', /^node:|^internal\//],
];

const partOf = (url: string) => PARTS.find(([, re]) => re.test(url))?.[0];

export function summarise(profile: Profile, top = 25) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);

  const frames = new Map<string, number>();
  const parts = new Map<string, number>();
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const where = url ? `${url.replace(/^.*?(node_modules\/|ecicomm[^/]*\/|wt-[^/]+\/)/, '')}:${lineNumber + 1}` : '';
    const frame = `${functionName || '(anonymous)'} ${where}`.trim();
    frames.set(frame, (frames.get(frame) ?? 0) + us);
    // A frame without a part of its own (Node internals, natives, GC) is charged to the nearest named caller.
    let part = partOf(url);
    for (let p = parent.get(id); (!part || part === 'Node internals') && p !== undefined; p = parent.get(p)) {
      const callerPart = partOf(byId.get(p)!.callFrame.url);
      if (callerPart && callerPart !== 'Node internals') part = callerPart;
    }
    const name = byId.get(id)!.callFrame.functionName;
    // (idle), (program), (garbage collector) keep their own names.
    const key = part ?? (name.startsWith('(') ? name : 'unattributed');
    parts.set(key, (parts.get(key) ?? 0) + us);
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return { totalMs: total / 1000, frames: sorted(frames).slice(0, top), parts: sorted(parts) };
}

if (process.argv[1]?.endsWith('cpu-profile-summary.ts')) {
  const [file, top] = process.argv.slice(2);
  const { totalMs, frames, parts } = summarise(JSON.parse(readFileSync(file, 'utf8')) as Profile, Number(top) || 25);
  const pct = (us: number) => `${((100 * us) / 1000 / totalMs).toFixed(1)} %`;
  console.log(`profile: ${(totalMs / 1000).toFixed(1)} s sampled\n\nby part (self time):`);
  for (const [k, us] of parts) console.log(`  ${pct(us).padStart(7)}  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`);
  console.log('\ntop self-time frames:');
  for (const [k, us] of frames) console.log(`  ${pct(us).padStart(7)}  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`);
}
