/**
 * The api section's comparison with a peer (issue 17, item 4): our edge and serverless-offline serving the same
 * getProduct handler against the same DynamoDB Local, in alternating slices of the same run. Target: our edge
 * sustains at least twice serverless-offline's requests/s.
 */
import type { CpuUse } from './platform-process';
import type { Peer } from './peer-offline';
import { comparisonTable, type BenchContext, type LoadSide, type Table, type Target } from './report';
import { round } from './stats';
import { startPeer, type PeerOptions } from './peer-offline';

export const PEER_RATIO_TARGET = 2;

/** Starts the peer (unless BENCH_PEER=off), or says why it did not (the section goes on without it). */
export async function tryStartPeer(
  ctx: BenchContext,
  options: PeerOptions,
  probePath: string,
): Promise<{ peer?: Peer; error?: string }> {
  if (process.env.BENCH_PEER === 'off') return { error: 'BENCH_PEER=off' };
  try {
    ctx.log('api: starting serverless-offline with the same getProduct handler');
    return { peer: await startPeer(ctx, options, probePath) };
  } catch (e) {
    const error = (e as Error).message;
    ctx.log(`api: serverless-offline could not start: ${error}`);
    return { error };
  }
}

interface Figures {
  requests: number;
  errors: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  elapsedS: number;
}

const summary = ({ requests, errors, rps, p50Ms, p99Ms, elapsedS }: Figures) => ({
  requests,
  errors,
  rps,
  p50Ms,
  p99Ms,
  elapsedS,
});

const side = (label: string, f: Figures): LoadSide => ({ ...f, label, answered: f.requests, perS: f.rps });

/** The target, the table and the findings of the edge against serverless-offline. */
export function peerReport(
  peer: Peer,
  edge: Figures,
  offline: Figures,
  cpu: { api: CpuUse; peer: CpuUse },
  connections: number,
): { target: Target; table: Table; findings: string[]; data: unknown } {
  const ratio = edge.rps / offline.rps;
  const cpuMs = (c: CpuUse, f: Figures) => (1000 * c.platformChild) / Math.max(1, f.requests);
  const serverCpu = { edge: cpuMs(cpu.api, edge), offline: cpuMs(cpu.peer, offline) };
  return {
    target: {
      name: 'edge requests/s / serverless-offline requests/s (GET /v1/products/{id})',
      target: `≥ ${PEER_RATIO_TARGET}`,
      actual: String(round(ratio, 2)),
      pass: ratio >= PEER_RATIO_TARGET,
    },
    table: comparisonTable(
      `GET /v1/products/{id}: our edge vs serverless-offline (${peer.mode}), same handler, same DynamoDB Local, ${connections}-way`,
      'requests',
      side('our edge (platform child)', edge),
      side(`serverless-offline 13 (${peer.mode})`, offline),
      'ratio edge / serverless-offline',
    ),
    findings: [
      `Edge / serverless-offline = ${round(ratio, 2)} in requests/s (target ≥ ${PEER_RATIO_TARGET}); p99 ${round(edge.p99Ms, 2)} ms against ${round(offline.p99Ms, 2)} ms. Server CPU per request: edge process ${round(serverCpu.edge, 2)} ms, serverless-offline process ${round(serverCpu.offline, 2)} ms (DynamoDB Local and this process not included).`,
    ],
    data: {
      mode: peer.mode,
      ratio,
      edge: summary(edge),
      serverlessOffline: summary(offline),
      serverCpuMsPerRequest: serverCpu,
    },
  };
}

export const peerMethod = (peer: Peer | undefined, error: string | undefined) =>
  peer
    ? `Peer: serverless-offline 13 on Serverless Framework 3 (devDependencies; no account, no network: SLS_TELEMETRY_DISABLED, SLS_NOTIFICATIONS_MODE=off, SLS_INTERACTIVE_SETUP_DISABLE), its own process group and ports, ${peer.mode === 'useInProcess' ? '`--useInProcess` (its fastest mode for Node: no worker thread per function, no message passing)' : 'its default worker-threads mode (BENCH_PEER_MODE=workerThreads)'}, serving functions/catalog/handlers/get-product.ts bundled as the bundles section bundles it for CDK, with the platform's handler environment (same DynamoDB Local, same table). It logs each request to a file, as it does by default. Its slices alternate with the other two (API, raw, peer; then peer, raw, API; …), same connections and duration.`
    : `Peer: serverless-offline could not be started, so it was not measured: ${error}`;
