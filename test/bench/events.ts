/**
 * Section: domain events on the local EventBridge (lib/local/eventbridge) — how long from PutEvents to the target
 * being invoked, at N-way concurrency (the connections option, 10 by default), through the real
 * @aws-sdk/client-eventbridge, signed as the platform signs. A rule matches the probe events and its target is a
 * Lambda function run in-process, which notes when each probe arrives.
 * Raw limit in the same run: the same loops sending TestEventPattern for the same event — a signed round trip the
 * emulator answers with one pattern match, no routing and no delivery. The ratio of events delivered per second to
 * that is what the bus's routing and asynchronous delivery keep of the wire's throughput.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  TestEventPatternCommand,
} from '@aws-sdk/client-eventbridge';
import { freePort } from '@ecicomm/local-platform/emulators';
import { startEventBridgeEmulator } from '@ecicomm/local-platform/eventbridge/server';
import type { BenchContext, LoadSide, Section, SectionResult } from './report';
import { comparisonTable } from './report';
import { percentile, round } from './stats';

export const EVENTS_P99_TARGET_MS = 100;
const region = 'eu-west-2';
const PATTERN = JSON.stringify({ source: ['ecicomm.bench'], 'detail-type': ['Probe'] });

interface Run {
  latencyMs: number[];
  errors: number;
  elapsedS: number;
}

const side = (label: string, run: Run): LoadSide => ({
  label,
  answered: run.latencyMs.length,
  errors: run.errors,
  perS: run.latencyMs.length / run.elapsedS,
  p50Ms: percentile(run.latencyMs, 50),
  p99Ms: percentile(run.latencyMs, 99),
});

/** `connections` loops, each awaiting `once()` and timing it, until the deadline. */
async function load(connections: number, durationS: number, once: () => Promise<void>): Promise<Run> {
  const latencyMs: number[] = [];
  let errors = 0;
  const t0 = performance.now();
  const deadline = t0 + durationS * 1000;
  const loop = async () => {
    while (performance.now() < deadline) {
      const s = performance.now();
      try {
        await once();
        latencyMs.push(performance.now() - s);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
  return { latencyMs, errors, elapsedS: (performance.now() - t0) / 1000 };
}

async function measure(ctx: BenchContext): Promise<SectionResult> {
  const credentials = { accessKeyId: 'bench', secretAccessKey: randomBytes(24).toString('base64url') };
  const waiting = new Map<string, () => void>();
  const bridge = await startEventBridgeEmulator({
    port: await freePort(),
    region,
    credentials,
    invokers: {
      lambda: async (_name, payload) => waiting.get((payload as { detail: { probe: string } }).detail.probe)?.(),
      sqs: () => Promise.reject(new Error('no SQS targets in this bench')),
    },
  });
  ctx.defer(() => bridge.stop());
  const client = new EventBridgeClient({ region, endpoint: bridge.endpoint, credentials, maxAttempts: 1 });
  ctx.defer(() => client.destroy());
  await client.send(new PutRuleCommand({ Name: 'probes', EventPattern: PATTERN }));
  const target = { Id: 'probe', Arn: `arn:aws:lambda:${region}:000000000000:function:probe` };
  await client.send(new PutTargetsCommand({ Rule: 'probes', Targets: [target] }));

  const putAndAwait = async () => {
    const probe = randomUUID();
    const invoked = new Promise<void>((resolve) => waiting.set(probe, resolve));
    const Detail = JSON.stringify({ probe });
    const answer = await client.send(
      new PutEventsCommand({ Entries: [{ Source: 'ecicomm.bench', DetailType: 'Probe', Detail }] }),
    );
    if (answer.FailedEntryCount) throw new Error('entry refused');
    await invoked;
    waiting.delete(probe);
  };
  const event = JSON.stringify({
    id: '1',
    account: '0',
    source: 'ecicomm.bench',
    time: '2026-01-01T00:00:00Z',
    region,
    resources: [],
    'detail-type': 'Probe',
    detail: { probe: 'x' },
  });
  const testPattern = async () => {
    await client.send(new TestEventPatternCommand({ EventPattern: PATTERN, Event: event }));
  };
  const { connections, duration, warmup } = ctx.options;
  await load(connections, warmup, putAndAwait);
  await load(connections, warmup, testPattern);
  const delivered = await load(connections, duration, putAndAwait);
  const raw = await load(connections, duration, testPattern);
  const a = side('PutEvents → target invoked', delivered);
  const b = side('TestEventPattern (raw: signed round trip)', raw);
  return {
    method: [
      `${connections} loops for ${duration} s per side after ${warmup} s of warm-up, in this process: the emulator, its HTTP server and the SDK client share one event loop.`,
      'Latency: from sending PutEvents to the rule’s Lambda target being invoked with the event.',
    ],
    tables: [comparisonTable('PutEvents to target, beside a signed round trip', 'events', a, b, 'delivered / raw')],
    targets: [
      {
        name: `p99 PutEvents → target invoked at ${connections}-way concurrency`,
        target: `≤ ${EVENTS_P99_TARGET_MS} ms`,
        actual: `${round(a.p99Ms, 2)} ms (p50 ${round(a.p50Ms, 2)} ms)`,
        pass: a.p99Ms <= EVENTS_P99_TARGET_MS,
      },
    ],
    findings:
      delivered.errors + raw.errors > 0 ? [`errors: ${delivered.errors} delivered side, ${raw.errors} raw side`] : [],
    data: { delivered: a, raw: b, stats: bridge.stats },
  };
}

export const eventsSection: Section = {
  id: 'events',
  title: 'Domain events: PutEvents to target (local EventBridge)',
  run: measure,
};
