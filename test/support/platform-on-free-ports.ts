/**
 * The local platform as the tests and the bench start it: every service on a free port (their defaults are those
 * of a running `npm start`), no settlement timer (tests settle on demand, and the bench must not count its
 * requests), nothing persisted.
 */
import { freePort } from '@ecicomm/local-platform/emulators';
import { startPlatform, type Platform, type PlatformOptions } from '@ecicomm/local-platform/platform';

/** Distinct free ports (freePort may hand the same one out twice in a row). */
export async function freePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

type PortOption =
  'port' | 'dynamoPort' | 'cognitoPort' | 'sqsPort' | 'stepFunctionsPort' | 'kinesisPort' | 'lambdaPort' | 'searchPort';

/** What is left to choose: the data dir, the seed, the model, a log. */
export type FreePortPlatformOptions = Omit<PlatformOptions, PortOption | 'sweepEverySeconds' | 'persist'>;

export async function startPlatformOnFreePorts(options: FreePortPlatformOptions): Promise<Platform> {
  const [port, dynamoPort, cognitoPort, sqsPort, stepFunctionsPort, kinesisPort, lambdaPort, searchPort] =
    await freePorts(8);
  return startPlatform({
    port,
    dynamoPort,
    cognitoPort,
    sqsPort,
    stepFunctionsPort,
    kinesisPort,
    lambdaPort,
    searchPort,
    sweepEverySeconds: 0,
    persist: false,
    ...options,
  });
}
