/**
 * The billable units of the checkout, counted in the platform child (./platform-child.ts) beside its DynamoDB
 * requests: Lambda invocations and durations, Step Functions states entered and retries (both from
 * diagnostics channels the local platform publishes on only while someone subscribes), Kinesis PUT payload
 * units (a middleware on the handlers' shared `kinesisClient()`), and DynamoDB request units from the
 * requests the DynamoDB tap sees.
 */
import { subscribe } from 'node:diagnostics_channel';
import type { PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { invocationChannel, type InvocationReport } from '@ecicomm/local-platform/lambda/local-invoker';
import { stateEnteredChannel, type StateEnteredReport } from '@ecicomm/local-platform/stepfunctions/engine';
import { kinesisClient } from '../../functions/shared/clients';
import { emptyBilling } from './checkout-cost';
import type { BillingCounts } from './child-ipc';
import { approximateItemBytes, dynamoRequestUnits, putPayloadUnits } from './cost';

const dataBytes = (data: unknown) =>
  data instanceof Uint8Array ? data.byteLength : typeof data === 'string' ? Buffer.byteLength(data) : 0;

/** Subscribes to the platform's channels and taps `kinesisClient()`; `dynamoRequest` is for the DynamoDB tap to call. */
export function installBillingTaps() {
  let counts = emptyBilling();
  let executions = new Set<string>();
  subscribe(invocationChannel.name, (message) => {
    const { id, ms, ok } = message as InvocationReport;
    const f = (counts.lambda[id] ??= { invocations: 0, ms: 0, billedMs: 0, errors: 0 });
    f.invocations++;
    f.ms += ms;
    // Lambda bills each invocation's duration rounded up to the millisecond.
    f.billedMs += Math.max(1, Math.ceil(ms));
    if (!ok) f.errors++;
  });
  subscribe(stateEnteredChannel.name, (message) => {
    const { executionArn, kind, state } = message as StateEnteredReport;
    if (kind === 'StateRetried') counts.sfn.retries++;
    else {
      counts.sfn.statesEntered++;
      counts.sfn.byState[state] = (counts.sfn.byState[state] ?? 0) + 1;
    }
    if (!executions.has(executionArn)) {
      executions.add(executionArn);
      counts.sfn.executions++;
    }
  });
  kinesisClient().middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { Data?: unknown; Records?: PutRecordsRequestEntry[] };
      const records =
        context.commandName === 'PutRecordCommand'
          ? [input.Data]
          : context.commandName === 'PutRecordsCommand'
            ? (input.Records ?? []).map((r) => r.Data)
            : [];
      for (const data of records) {
        const bytes = dataBytes(data);
        counts.kinesis.records++;
        counts.kinesis.bytes += bytes;
        counts.kinesis.putPayloadUnits += putPayloadUnits(bytes);
      }
      return next(args);
    },
    { step: 'initialize', name: 'benchKinesisPutTap' },
  );
  return {
    dynamoRequest(command: string, input: Parameters<typeof dynamoRequestUnits>[1]) {
      const units = dynamoRequestUnits(command, input);
      counts.dynamo.readUnits += units.read;
      counts.dynamo.writeUnits += units.write;
      const puts = command === 'PutItem' ? [input.Item] : (input.TransactItems ?? []).map((t) => t.Put?.Item);
      for (const item of puts)
        if (item !== undefined)
          counts.dynamo.maxPutItemBytes = Math.max(counts.dynamo.maxPutItemBytes, approximateItemBytes(item));
    },
    read(reset: boolean): BillingCounts {
      const out = counts;
      if (reset) {
        counts = emptyBilling();
        executions = new Set();
      }
      return reset ? out : structuredClone(out);
    },
  };
}
