/**
 * npm run generate-event -- <source> [options]
 *   Prints an event as AWS delivers it to our functions, as `sam local generate-event` does, for `npm run replay
 *   -- --event FILE` or a test: apigw (a REST proxy request to one of our routes), sfn (the input a saga step
 *   receives), dynamodb-stream (a record of one of our tables), kinesis (a clickstream record), sqs (a message
 *   of one of our queues). The events are built in lib/ops/events/, typed by @types/aws-lambda.
 */
import { Option, InvalidArgumentError } from 'commander';
import { apigwEvent } from '../lib/ops/events/apigw';
import { dynamodbStreamEvent, STREAM_EVENT_NAMES } from '../lib/ops/events/dynamodb-stream';
import { streamedTables } from '../lib/table-streams';
import { clickstreamEvent, EVENT_TYPES } from '../lib/ops/events/kinesis';
import { FAILURE_REASONS, sagaStates, sagaTaskInput } from '../lib/ops/events/sfn';
import { sqsEvent } from '../lib/ops/events/sqs';
import { command, fail, parse, readInputFile } from './cli';

const json = (value: string): Record<string, unknown> => {
  try {
    const parsed = JSON.parse(value) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // Reported below.
  }
  throw new InvalidArgumentError('must be a JSON object');
};
/** `key=value`, repeatable: collected into one object. */
const pair = (value: string, previous: Record<string, string> = {}): Record<string, string> => {
  const at = value.indexOf('=');
  if (at < 1) throw new InvalidArgumentError('must be key=value');
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
};
/** Prints the event, or ends with one line when the options describe none (exit 2). */
const print = (make: () => unknown) => {
  let event: unknown;
  try {
    event = make();
  } catch (e) {
    fail((e as Error).message);
  }
  console.log(JSON.stringify(event, null, 2));
};

const program = command(
  'npm run generate-event --',
  'Print an event as AWS delivers it to our functions (as sam local generate-event does), for npm run replay -- --event FILE',
)
  .helpCommand(false)
  .addHelpText(
    'after',
    '\nexample: npm run -s generate-event -- apigw --method GET --path /v1/health > /tmp/health.json\n' +
      '         npm run replay -- --event /tmp/health.json\n' +
      'exit codes: 0 printed, 2 bad usage or options that describe no event',
  );

program
  .command('apigw')
  .description('an API Gateway REST proxy event for one of our routes')
  .requiredOption('--path <path>', 'the request path, e.g. /v1/products/prd_1 (the route is found from it)')
  .option('--method <method>', 'the HTTP method', 'GET')
  .option('--body <json>', 'the request body')
  .option('--body-file <file>', 'the request body, from a file')
  .option('--query <key=value>', 'a query string parameter (repeatable)', pair)
  .option('--header <name=value>', 'a request header (repeatable)', pair)
  .option('--user <sub>', "signed in: the authorizer's claims name this user (sub)")
  .option('--email <email>', 'the signed-in user’s email claim')
  .option('--groups <groups>', 'the signed-in user’s cognito:groups claim, e.g. admin,analyst')
  .option('--claim <key=value>', 'any other claim (repeatable)', pair)
  .action(
    (o: {
      path: string;
      method: string;
      body?: string;
      bodyFile?: string;
      query?: Record<string, string>;
      header?: Record<string, string>;
      user?: string;
      email?: string;
      groups?: string;
      claim?: Record<string, string>;
    }) => {
      if (o.body !== undefined && o.bodyFile) fail('give the body once: --body or --body-file');
      const body = o.bodyFile ? readInputFile(o.bodyFile) : o.body;
      const signedIn = o.user ?? o.email ?? o.groups ?? o.claim;
      const claims = signedIn
        ? {
            sub: o.user ?? '00000000-0000-4000-8000-000000000001',
            token_use: 'id',
            ...(o.email ? { email: o.email } : {}),
            ...(o.groups ? { 'cognito:groups': o.groups } : {}),
            ...o.claim,
          }
        : undefined;
      print(() => apigwEvent({ method: o.method, path: o.path, body, query: o.query, headers: o.header, claims }));
    },
  );

program
  .command('sfn')
  .description('the input a saga step’s function receives (ReserveInventory, ChargePayment, …)')
  .addOption(new Option('--state <state>', 'the saga step').choices(sagaStates).makeOptionMandatory())
  .option('--order-id <id>', 'the order (default: a new UUID; replay finds no such order unless it exists)')
  .option('--payment-token <token>', 'the payment token', 'tok_visa')
  .option('--charge-id <id>', 'the charge ChargePayment returned (ConfirmOrder, RefundPayment)')
  .addOption(new Option('--failure-reason <reason>', 'why the saga compensates').choices(FAILURE_REASONS))
  .option('--expires-at <time>', 'when the stock hold ends (default: in 15 minutes)')
  .action((o: Parameters<typeof sagaTaskInput>[0]) => print(() => sagaTaskInput(o)));

program
  .command('dynamodb-stream')
  .description('a DynamoDB stream event: one record of one of our tables')
  .addOption(new Option('--table <table>', 'the table').choices(streamedTables).makeOptionMandatory())
  .addOption(new Option('--event-name <name>', 'the change').choices(STREAM_EVENT_NAMES).default('INSERT'))
  .option('--new-image <json>', 'the item after the change, as plain JSON (default: a sample item)', json)
  .option('--old-image <json>', 'the item before the change, as plain JSON (default: the new image)', json)
  .option('--region <region>', 'the region in the stream ARN', 'eu-west-2')
  .action((o: Parameters<typeof dynamodbStreamEvent>[0]) => print(() => dynamodbStreamEvent(o)));

program
  .command('kinesis')
  .description('a Kinesis event: one clickstream record, as POST /v1/events writes it (base64 data)')
  .addOption(new Option('--type <type>', 'the event type').choices(EVENT_TYPES).default('page_view'))
  .option('--session-id <id>', 'the session (default: a new UUID)')
  .option('--product-id <id>', 'the product (product_view, add_to_cart)')
  .option('--query <text>', 'what was searched for (search)')
  .option('--value <pence>', 'the value in minor units (informational)', parse.wholeNumber)
  .option('--region <region>', 'the region in the stream ARN', 'eu-west-2')
  .action((o: Parameters<typeof clickstreamEvent>[0]) => print(() => clickstreamEvent(o)));

program
  .command('sqs')
  .description('an SQS event: one message of one of our queues (default: the saga’s compensation dead letters)')
  .option('--queue <name>', 'the queue', 'order-saga-compensation-dlq')
  .option('--body <text>', 'the message body (default: what the saga’s CompensationFailed state sends)')
  .option('--region <region>', 'the region in the queue ARN', 'eu-west-2')
  .action((o: Parameters<typeof sqsEvent>[0]) => print(() => sqsEvent(o)));

program.parse();
