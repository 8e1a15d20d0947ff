/**
 * npm run redrive -- --consumer <id> [--dry-run] [--max N]
 *   Redrives a stream consumer's failed batches: each failure record in its on-failure queue is read back
 *   from the stream and the consumer invoked with it through the Lambda Invoke API; a message is deleted only
 *   when its whole batch loaded (lib/ops/redrive.ts).
 * Locally it uses the running platform (`npm start`, found through LOCAL_DATA_DIR/runtime.json): its SQS,
 * DynamoDB Streams, Kinesis and Lambda endpoints. Against a deployed stage, `--prefix <stage prefix>` names
 * the physical queue (`<prefix>-<queue>`) and function (`<prefix>-<id>`) and the SDK's default endpoints,
 * region and credentials are used; `--queue-url` and `--function-name` override either.
 * Exits 0 when every message read was redriven (or with --dry-run), 1 when some are kept, 2 on bad usage.
 */
import { command, usageError, fail, EXIT, parse, runningLocalPlatform } from './cli';
import { streamConsumers } from '../lib/stream-consumers';
import { awsRedrivePorts, describeReport, records, redrive, type AwsRedriveOptions } from '../lib/ops/redrive';

const program = command('npm run redrive --', "Redrive a stream consumer's failed batches from its on-failure queue")
  .requiredOption('--consumer <id>', 'the stream consumer whose failures to redrive')
  .option('--dry-run', 'read the failures and report what would be redriven; invoke and delete nothing')
  .option('--max <n>', 'redrive at most N messages', parse.positiveWholeNumber)
  .option(
    '--prefix <stage prefix>',
    "a deployed stage's prefix (ecicomm-prod): its queue and function",
    parse.stagePrefix,
  )
  .option('--region <region>', "the stage's region (default: the SDK's)")
  .option('--queue-url <url>', 'the on-failure queue, instead of the one --prefix or the local platform names')
  .option('--function-name <name>', 'the function to invoke, instead of the one --prefix names')
  .addHelpText('after', `\nconsumers: ${streamConsumers.map((c) => c.id).join(', ')}`)
  .parse();
const args = program.opts<{
  consumer: string;
  dryRun?: boolean;
  max?: number;
  prefix?: string;
  region?: string;
  queueUrl?: string;
  functionName?: string;
}>();
const consumer = streamConsumers.find((c) => c.id === args.consumer);
if (!consumer) usageError(program, `Unknown consumer "${args.consumer}"`);

const options: AwsRedriveOptions = {
  consumer,
  ...(args.region ? { region: args.region } : {}),
  ...(args.queueUrl ? { queueUrl: args.queueUrl } : {}),
  ...(args.functionName ? { functionName: args.functionName } : {}),
};
if (args.prefix) {
  options.prefix = args.prefix;
  console.error(
    `Redriving ${consumer.id} in stage ${args.prefix} (AWS, region ${args.region ?? process.env.AWS_REGION ?? 'from the profile'})`,
  );
} else {
  const running = await runningLocalPlatform();
  const env = running.env;
  options.region ??= env.AWS_REGION;
  options.credentials = { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY };
  options.endpoints = {
    sqs: env.AWS_ENDPOINT_URL_SQS,
    lambda: running.lambdaEndpoint,
    dynamodbStreams: env.AWS_ENDPOINT_URL_DYNAMODB,
    kinesis: env.AWS_ENDPOINT_URL_KINESIS,
  };
  options.queueUrl ??= running.failureQueueUrls?.[consumer.id];
  if (!options.queueUrl)
    fail(`The local platform at ${running.apiUrl} has no on-failure queue for ${consumer.id}`, EXIT.failed);
  console.error(
    `Redriving ${consumer.id} on the local platform at ${running.apiUrl} (Lambda ${running.lambdaEndpoint})`,
  );
}

try {
  const ports = await awsRedrivePorts(options);
  try {
    console.error(
      `queue ${ports.queueUrl} → function ${ports.functionName}${args.dryRun ? ' (dry run: nothing is invoked or deleted)' : ''}`,
    );
    const summary = await redrive(ports, {
      dryRun: Boolean(args.dryRun),
      ...(args.max ? { max: args.max } : {}),
      onMessage: (report) => console.log(describeReport(report)),
    });
    const kept = summary.messages - summary.messagesRedriven;
    const would = summary.reports.reduce((n, r) => n + (r.outcome.kind === 'would-redrive' ? r.outcome.records : 0), 0);
    console.log(
      summary.dryRun
        ? `${consumer.id}: ${summary.messages} failure records (messages), ${records(would)} would be redriven` +
            `${summary.recordsTrimmed ? `, ${records(summary.recordsTrimmed)} no longer in the stream` : ''}${summary.unreadable ? `, ${summary.unreadable} unreadable` : ''}`
        : `${consumer.id}: ${summary.messages} failure records (messages) — ${summary.messagesRedriven} redriven and deleted, ${records(summary.recordsRedriven)} redriven; ` +
            `${summary.stillFailing} still failing (${records(summary.recordsStillFailing)}), ${summary.trimmed} with records no longer in the stream (${records(summary.recordsTrimmed)}), ` +
            `${summary.unreadable} unreadable; ${kept} kept in the queue`,
    );
    if (!summary.dryRun && kept > 0) process.exitCode = EXIT.failed;
  } finally {
    ports.close();
  }
} catch (e) {
  console.error(`redrive failed: ${(e as Error).message}`);
  process.exitCode = EXIT.failed;
}
