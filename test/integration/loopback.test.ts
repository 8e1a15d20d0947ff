/**
 * The local platform is reachable from this machine only: every server it starts — the HTTP edge, DynamoDB
 * Local, cognito-local, kinesalite, the SQS, Step Functions and Lambda emulators, the model server — listens on
 * 127.0.0.1, never on all interfaces, so nobody on the network reaches the developer's data.
 */
import net from 'node:net';
import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { isLoopback, listeningSockets } from '../support/listening-sockets';
import { platform } from '../support/api';

const endpoints = () => {
  const p = platform();
  return {
    api: p.apiUrl,
    dynamodb: p.dynamoEndpoint,
    cognito: p.cognitoEndpoint,
    sqs: p.sqsEndpoint,
    stepFunctions: p.stepFunctionsEndpoint,
    kinesis: p.kinesisEndpoint,
    lambda: p.lambdaEndpoint,
    model: p.recommendations.modelUrl,
  };
};
const portOf = (url: string) => Number(new URL(url).port);

/** How a connection to address:port ends: 'connected', or the error's code. */
const connect = (address: string, port: number) =>
  new Promise<string>((resolve) => {
    const socket = net.connect({ host: address, port, timeout: 5000 });
    socket.once('connect', () => (socket.destroy(), resolve('connected')));
    socket.once('timeout', () => (socket.destroy(), resolve('timeout')));
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });

describe('the platform on the loopback interface only', () => {
  it('listens on 127.0.0.1 with every socket of its process and of its emulators’ processes', () => {
    const sockets = [platform().pid, ...platform().pids].flatMap((pid) =>
      listeningSockets(pid).map((socket) => ({ pid, ...socket })),
    );
    for (const [name, url] of Object.entries(endpoints())) {
      expect(
        sockets.filter((s) => s.port === portOf(url)),
        `${name} (${url})`,
      ).not.toEqual([]);
    }
    expect(sockets.filter((s) => !isLoopback(s.address))).toEqual([]);
  });

  it('refuses connections to its ports on the machine’s other addresses', async () => {
    const addresses = Object.values(networkInterfaces())
      .flat()
      .filter((i) => i && !i.internal && (i.family === 'IPv4' || !i.address.startsWith('fe80')))
      .map((i) => i!.address);
    const reached: string[] = [];
    for (const address of addresses) {
      for (const [name, url] of Object.entries(endpoints())) {
        const outcome = await connect(address, portOf(url));
        if (outcome === 'connected') reached.push(`${name} on ${address}:${portOf(url)}`);
      }
    }
    expect(reached).toEqual([]);
    // Reachable on loopback all the same.
    for (const [name, url] of Object.entries(endpoints()))
      expect(await connect('127.0.0.1', portOf(url)), name).toBe('connected');
  });
});
