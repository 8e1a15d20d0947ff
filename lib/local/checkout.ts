/**
 * The checkout saga on the local substrate: the same ASL file, its Task states bound to the same handler
 * modules CDK deploys as functions, the compensation dead-letter queue on the local SQS, and the
 * settlement pass on a timer instead of an EventBridge schedule (the daily reconciliation is
 * `npm run payments:reconcile` locally).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CreateQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { orderSaga, scheduledJobs } from '../saga';
import { faultPlanFromEnv, withFaults } from './faults/faults';
import { localInvoker } from './lambda/local-invoker';
import { startStepFunctionsEmulator, type StepFunctionsEmulator, type TaskHandler } from './stepfunctions/server';

const ACCOUNT_ID = '000000000000';

/** Replaces `${Name}` placeholders as CloudFormation's definitionSubstitutions does. */
export function substitute(definition: string, values: Record<string, string>): string {
  return definition.replace(/\$\{(\w+)\}/g, (placeholder, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`No substitution for ${placeholder} in the state machine definition`);
    return value;
  });
}

export interface CheckoutOptions {
  region: string;
  projectRoot: string;
  sqsEndpoint: string;
  stepFunctionsPort: number;
  sweepEverySeconds: number;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Where the saga's executions are journaled, to survive restarts; in memory only when absent. */
  dataDir?: string;
  /**
   * Resolves once the platform has set the handlers' environment: journaled executions resume, and the
   * settlement timer starts, only then (a handler module reads its environment when it loads).
   */
  handlersReady?: Promise<unknown>;
}

export interface LocalCheckout {
  env: Record<string, string>;
  stepFunctions: StepFunctionsEmulator;
  deadLetterQueueUrl: string;
  sweep: () => Promise<unknown>;
  stopSweeper: () => void;
}

export async function startCheckout(options: CheckoutOptions): Promise<LocalCheckout> {
  const sqs = new SQSClient({
    region: options.region,
    endpoint: options.sqsEndpoint,
    credentials: options.credentials,
  });
  const { QueueUrl: deadLetterQueueUrl } = await sqs.send(
    new CreateQueueCommand({
      QueueName: orderSaga.deadLetterQueueName,
      Attributes: { MessageRetentionPeriod: '1209600' },
    }),
  );
  const { substitutions, taskHandlers } = bindSagaTasks(options, sqs, deadLetterQueueUrl!);

  // Our own ASL file, as an object. test/unit/asl.test.ts validates it with every placeholder substituted, ARNs and
  // paths checked: stricter than the engine's own check, which it need not repeat at every start.
  const definition = JSON.parse(
    substitute(readFileSync(path.join(options.projectRoot, orderSaga.definitionFile), 'utf8'), substitutions),
  ) as Record<string, unknown>;
  const stepFunctions = await startStepFunctionsEmulator({
    port: options.stepFunctionsPort,
    region: options.region,
    machines: [{ name: orderSaga.name, definition, taskHandlers, validated: true }],
    credentials: options.credentials,
    dataDir: options.dataDir,
    resumeAfter: options.handlersReady,
  });

  const settlement = scheduledJobs.find((j) => j.id === 'settleOrders')!;
  const sweep = localInvoker(options.projectRoot, settlement);
  return {
    env: {
      AWS_ENDPOINT_URL_SQS: options.sqsEndpoint,
      AWS_ENDPOINT_URL_SFN: stepFunctions.endpoint,
      ORDER_SAGA_ARN: stepFunctions.stateMachineArn(orderSaga.name),
    },
    stepFunctions,
    deadLetterQueueUrl: deadLetterQueueUrl!,
    sweep: () => sweep({ source: 'local.manual' }),
    stopSweeper: startSettlementTimer(options, sweep),
  };
}

/** Each Task state bound to its handler module (behind crash testing's faults), and the ASL's substitutions. */
function bindSagaTasks(
  options: CheckoutOptions,
  sqs: SQSClient,
  deadLetterQueueUrl: string,
): { substitutions: Record<string, string>; taskHandlers: Record<string, TaskHandler> } {
  const functionArn = (id: string) => `arn:aws:lambda:${options.region}:${ACCOUNT_ID}:function:${id}`;
  const substitutions: Record<string, string> = { [orderSaga.deadLetterQueueSubstitution]: deadLetterQueueUrl };
  const taskHandlers: Record<string, TaskHandler> = {};
  // Crash testing's injected faults (none unless LOCAL_FAULT_* is set).
  const faults = faultPlanFromEnv();
  for (const task of orderSaga.tasks) {
    substitutions[task.substitution] = functionArn(task.id);
    taskHandlers[task.state] = withFaults(task.state, localInvoker(options.projectRoot, task), faults);
  }
  // The SQS service integration: Step Functions serialises a JSON MessageBody itself.
  taskHandlers.CompensationFailed = async (input) => {
    const { QueueUrl, MessageBody } = input as { QueueUrl: string; MessageBody: unknown };
    const body = typeof MessageBody === 'string' ? MessageBody : JSON.stringify(MessageBody);
    const { MessageId } = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
    return { MessageId };
  };
  return { substitutions, taskHandlers };
}

/** The settlement pass every `sweepEverySeconds` once the handlers are ready (never when 0); returns its stop. */
function startSettlementTimer(options: CheckoutOptions, sweep: (event: unknown) => Promise<unknown>): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  if (options.sweepEverySeconds > 0) {
    void (options.handlersReady ?? Promise.resolve()).then(() => {
      if (stopped) return;
      timer = setInterval(
        () => void sweep({ source: 'local.timer' }).catch((e) => console.error('settlement failed', e)),
        options.sweepEverySeconds * 1000,
      );
      timer.unref();
    });
  }
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
