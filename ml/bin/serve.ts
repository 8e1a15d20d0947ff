/**
 * `npm run ml:serve -- --model DIR [--port 8080] [--host 127.0.0.1] [--variant NAME] [--endpoint-name NAME]`
 *
 * Serves a trained model behind the SageMaker container contract (ml/src/serve/server.ts). Listens first
 * and loads the model second, so /ping answers 503 (not a refused connection) while a large model loads.
 * In the container (ml/serve), SageMaker's conventions apply: the model in /opt/ml/model, port 8080 or
 * SAGEMAKER_BIND_TO_PORT, all interfaces.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadArtifact } from '../src/serve/artifact';
import { createModelServer, DEFAULT_VARIANT } from '../src/serve/server';

const usage =
  'usage: npm run ml:serve -- --model DIR [--port 8080] [--host 127.0.0.1] [--variant NAME] [--endpoint-name NAME]\n' +
  '  DIR holds model.json (what npm run ml:train writes). Env: MODEL_DIR, MODEL_PORT or SAGEMAKER_BIND_TO_PORT, MODEL_VARIANT.';

let values: Record<string, string | boolean | undefined>;
try {
  ({ values } = parseArgs({
    options: {
      model: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      variant: { type: 'string' },
      'endpoint-name': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  }));
} catch (e) {
  console.error(`${(e as Error).message}\n${usage}`);
  process.exit(2);
}
if (values.help) {
  console.log(usage);
  process.exit(0);
}

const modelDir = (values.model as string | undefined) ?? process.env.MODEL_DIR;
if (!modelDir) {
  console.error(`--model DIR is required\n${usage}`);
  process.exit(2);
}
const port = Number(values.port ?? process.env.SAGEMAKER_BIND_TO_PORT ?? process.env.MODEL_PORT ?? 8080);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a port number, got ${values.port}`);
  process.exit(2);
}
const host = (values.host as string | undefined) ?? '127.0.0.1';
const variant = (values.variant as string | undefined) ?? process.env.MODEL_VARIANT ?? DEFAULT_VARIANT;

const server = createModelServer({ variant, endpointName: values['endpoint-name'] as string | undefined });
const { url } = await server.listen(port, host);
console.log(`model server listening on ${url} (variant ${variant}); loading ${path.resolve(modelDir)}…`);
try {
  const started = performance.now();
  const model = await loadArtifact(path.resolve(modelDir));
  server.load(model);
  console.log(
    `model ${model.version} loaded in ${(performance.now() - started).toFixed(0)} ms: POST ${url}/invocations, GET ${url}/ping`,
  );
} catch (e) {
  console.error(`could not load the model: ${(e as Error).message}`);
  await server.close();
  process.exit(1);
}

const stop = (signal: string) => {
  console.log(`${signal}: stopping the model server`);
  void server.close().then(() => process.exit(0));
};
process.once('SIGINT', () => stop('SIGINT'));
process.once('SIGTERM', () => stop('SIGTERM'));
