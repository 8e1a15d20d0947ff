/**
 * The checkout section's platform child with its IPC channel (./child-ipc.ts): requests answered by id, and every
 * order's CONFIRMED/CANCELLED write reported the moment it succeeds, so completion is observed without status polling.
 */
import { type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { ChildMessage, ChildRequest, DynamoCounts } from './child-ipc';
import type { ChildPlatformInfo } from './platform-info';
import { startPlatformChild } from './platform-process';
import type { BenchContext } from './report';

const IDLE_TIMEOUT_MS = 30_000;

export const wallClockMs = () => performance.timeOrigin + performance.now();

/** The platform child, with the IPC channel of ./child-ipc.ts. */
export interface LinkedPlatform {
  info: ChildPlatformInfo;
  child: ChildProcess;
  request(request: DistributiveOmit<ChildRequest, 'id'>, timeoutMs?: number): Promise<ChildMessage>;
  counts(reset: boolean): Promise<DynamoCounts>;
  idle(): Promise<void>;
  /** Every order status write the child reported, by order id (first one wins). */
  settled: Map<string, { status: 'CONFIRMED' | 'CANCELLED'; at: number; receivedAt: number }>;
  /** Resolves when the order settles, or undefined after timeoutMs. */
  waitSettled(
    orderId: string,
    timeoutMs: number,
  ): Promise<{ status: 'CONFIRMED' | 'CANCELLED'; at: number; receivedAt: number } | undefined>;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export async function startLinkedPlatform(ctx: BenchContext): Promise<LinkedPlatform> {
  const { info, child } = await startPlatformChild(ctx, { label: 'checkout', ipc: true });

  // IPC: answers to requests by id; order settlements into a map, waking whoever waits for them.
  let nextId = 0;
  const answers = new Map<number, (message: ChildMessage) => void>();
  const settled: LinkedPlatform['settled'] = new Map();
  const waiters = new Map<string, (s: NonNullable<ReturnType<LinkedPlatform['settled']['get']>>) => void>();
  child.on('message', (message: ChildMessage) => {
    if (message.type === 'order') {
      if (settled.has(message.orderId)) return;
      const s = { status: message.status, at: message.at, receivedAt: wallClockMs() };
      settled.set(message.orderId, s);
      waiters.get(message.orderId)?.(s);
      waiters.delete(message.orderId);
    } else {
      answers.get(message.id)?.(message);
      answers.delete(message.id);
    }
  });
  child.on('error', (e) => ctx.log(`checkout: platform child error: ${e.message}`));
  const request = (req: DistributiveOmit<ChildRequest, 'id'>, timeoutMs = 60_000) =>
    new Promise<ChildMessage>((resolve, reject) => {
      const id = ++nextId;
      const timer = setTimeout(() => {
        answers.delete(id);
        reject(new Error(`platform child did not answer ${req.type} within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      answers.set(id, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      child.send({ ...req, id });
    });

  return {
    info,
    child,
    request,
    counts: async (reset) => {
      const m = await request({ type: 'counts', reset });
      if (m.type !== 'counts') throw new Error(`unexpected answer ${m.type}`);
      return m.counts;
    },
    idle: async () => {
      const m = await request({ type: 'idle', timeoutMs: IDLE_TIMEOUT_MS }, IDLE_TIMEOUT_MS + 10_000);
      if (m.type !== 'idle' || !m.ok) throw new Error(`sagas not idle: ${m.type === 'idle' ? m.error : m.type}`);
    },
    settled,
    waitSettled: (orderId, timeoutMs) => {
      const known = settled.get(orderId);
      if (known) return Promise.resolve(known);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiters.delete(orderId);
          resolve(undefined);
        }, timeoutMs);
        waiters.set(orderId, (s) => {
          clearTimeout(timer);
          resolve(s);
        });
      });
    },
  };
}
