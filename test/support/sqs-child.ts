/**
 * The local SQS emulator in a process of its own, for tests that kill it: `node --import tsx
 * test/support/sqs-child.ts <dataFile> <port>`. Prints `ready` once it listens.
 */
import { startSqsEmulator } from '@ecicomm/local-platform/sqs/server';

const [dataFile, port] = process.argv.slice(2) as [string, string];
await startSqsEmulator({ port: Number(port), dataFile });
console.log('ready');
