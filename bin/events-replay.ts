/**
 * npm run events:replay -- --from ISO --to ISO [--pattern FILE] [--rule NAME…] [--prefix <stage prefix> [--region R]]
 *   Replays the domain events archived between --from and --to to the rules of the bus, as EventBridge replays:
 *   StartReplay on the bus's archive, then DescribeReplay until the replay has ended, and what was replayed printed
 *   (stdout, JSON). The rules' targets receive the events again, each marked with `replay-name`.
 *   --rule names the rules to replay to (every rule of the bus otherwise); --pattern FILE, a JSON event pattern,
 *   restricts the events replayed, through a temporary rule per rule reached (lib/ops/events-replay/rules.ts).
 * Locally it uses the running platform (`npm start`, found through LOCAL_DATA_DIR/runtime.json): its EventBridge,
 * with the run's credentials. Against a deployed stage, `--prefix` names the bus and archive (`<prefix>-events`,
 * `<prefix>-events-archive`) and the SDK's default endpoint, region and credentials are used. One code path: the
 * EventBridge API in both.
 * Exits 0 when the replay completed, 1 when it failed or could not run, 2 on bad usage or input (dates, window,
 * pattern).
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EVENT_ARCHIVE, stageEventNames } from '../lib/events';
import { isoDate, ReplayRefused } from '../lib/ops/events-replay/checks';
import { replayArchivedEvents } from '../lib/ops/events-replay/replay';
import { command, EXIT, fail, parse, readJsonFile, runningLocalPlatform, usageError } from './cli';

const program = command(
  'npm run events:replay --',
  'Replay archived domain events to the rules of the bus (EventBridge StartReplay), locally or in a deployed stage',
)
  .requiredOption('--from <iso>', 'the start of the window, an ISO date or time (2026-12-07T09:00:00Z)')
  .requiredOption('--to <iso>', 'the end of the window (excluded); a time still ahead is cut to now')
  .option('--pattern <file>', 'a JSON event pattern: only the events it matches are replayed')
  .option('--rule <name...>', 'replay to these rules of the bus only (every rule otherwise)')
  .option(
    '--prefix <stage prefix>',
    "a deployed stage's prefix (ecicomm-prod): its bus and archive, with the AWS SDK's credentials",
    parse.stagePrefix,
  )
  .option('--region <region>', "the stage's region (default: the SDK's)")
  .addHelpText(
    'after',
    '\nexit codes: 0 the replay completed, 1 it failed or could not run, 2 bad usage or input (dates, window, pattern)',
  )
  .parse();
const args = program.opts<{
  from: string;
  to: string;
  pattern?: string;
  rule?: string[];
  prefix?: string;
  region?: string;
}>();

const from = isoDate(args.from);
const to = isoDate(args.to);
if (!from) usageError(program, `--from ${args.from} is not an ISO date or time (2026-12-07 or 2026-12-07T09:00:00Z)`);
if (!to) usageError(program, `--to ${args.to} is not an ISO date or time (2026-12-07 or 2026-12-07T09:00:00Z)`);
if (from.getTime() >= to.getTime()) usageError(program, `--from (${args.from}) must be before --to (${args.to})`);
if (args.region && !args.prefix) usageError(program, '--region goes with --prefix');
const pattern = args.pattern === undefined ? undefined : { parsed: readJsonFile(args.pattern), file: args.pattern };

let client: EventBridgeClient;
let archiveName: string;
if (args.prefix) {
  archiveName = stageEventNames(args.prefix).archive;
  client = new EventBridgeClient(args.region ? { region: args.region } : {});
  console.error(
    `Replaying in stage ${args.prefix} (AWS, region ${args.region ?? process.env.AWS_REGION ?? 'from the profile'})`,
  );
} else {
  const running = await runningLocalPlatform();
  const { env } = running;
  if (!env.AWS_ENDPOINT_URL_EVENTBRIDGE)
    fail(`The local platform at ${running.apiUrl} runs no EventBridge (restart it: npm start)`, EXIT.failed);
  archiveName = EVENT_ARCHIVE.name;
  client = new EventBridgeClient({
    region: env.AWS_REGION,
    endpoint: env.AWS_ENDPOINT_URL_EVENTBRIDGE,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
  });
  console.error(
    `Replaying on the local platform at ${running.apiUrl} (EventBridge ${env.AWS_ENDPOINT_URL_EVENTBRIDGE})`,
  );
}

// Ctrl-C cancels the replay and still removes its temporary rules; a second one ends the process.
const abort = new AbortController();
process.once('SIGINT', () => abort.abort());
try {
  const outcome = await replayArchivedEvents(client, {
    archiveName,
    from,
    to,
    pattern,
    rules: args.rule,
    signal: abort.signal,
    log: (line) => console.error(line),
  });
  console.log(JSON.stringify(outcome, null, 2));
  console.error(`${outcome.replayName}: ${outcome.state}${outcome.stateReason ? ` (${outcome.stateReason})` : ''}`);
  if (outcome.state !== 'COMPLETED') process.exitCode = EXIT.failed;
} catch (e) {
  if (e instanceof ReplayRefused) {
    console.error(e.message);
    process.exitCode = EXIT.usage;
  } else {
    console.error(`events:replay failed: ${(e as Error).message}`);
    process.exitCode = EXIT.failed;
  }
} finally {
  client.destroy();
}
