/**
 * `npm run ml:serve -- --model DIR [--port 8080] [--host 127.0.0.1] [--variant NAME] [--endpoint-name NAME]`
 *
 * Serves a trained model behind the SageMaker container contract (ml/src/serve/server.ts): recommendations
 * or demand insights, whichever format the folder's model.json is (ml/src/serve/load.ts). Listens first
 * and loads the model second, so /ping answers 503 (not a refused connection) while a large model loads.
 * In the container (ml/serve), SageMaker's conventions apply: the model in /opt/ml/model, port 8080 or
 * SAGEMAKER_BIND_TO_PORT, all interfaces.
 */
import { ArtifactError } from '../src/serve/artifact';
import { loadServedModel } from '../src/serve/load';
import { createModelServer, DEFAULT_VARIANT } from '../src/serve/server';
import { command, EXIT, fail, inputDirectory, parse } from './cli';

const values = command(
  'npm run ml:serve --',
  'Serve a trained model behind the SageMaker container contract: GET /ping, POST /invocations',
)
  .option('--model <dir>', 'the folder of model.json (recommendations or insights) (default: MODEL_DIR)')
  .option('--port <port>', 'the port (default: SAGEMAKER_BIND_TO_PORT, MODEL_PORT or 8080)', parse.port)
  .option('--host <host>', 'the interface to listen on', '127.0.0.1')
  .option('--variant <name>', `the production variant it answers as (default: MODEL_VARIANT or ${DEFAULT_VARIANT})`)
  .option('--endpoint-name <name>', 'the endpoint name it answers as')
  .addHelpText(
    'after',
    '\nexit codes: 0 stopped by SIGINT or SIGTERM, 1 could not listen, 2 bad usage or no readable model',
  )
  .parse()
  .opts<{ model?: string; port?: number; host: string; variant?: string; endpointName?: string }>();

const modelDir = values.model ?? process.env.MODEL_DIR;
if (!modelDir) fail('name the model: --model DIR or MODEL_DIR (npm run ml:serve -- --help)');
const modelPath = inputDirectory(modelDir, 'model folder');
const port = values.port ?? Number(process.env.SAGEMAKER_BIND_TO_PORT ?? process.env.MODEL_PORT ?? 8080);
const host = values.host;
const variant = values.variant ?? process.env.MODEL_VARIANT ?? DEFAULT_VARIANT;

const server = createModelServer({ variant, endpointName: values.endpointName });
const { url } = await server.listen(port, host);
console.log(`model server listening on ${url} (variant ${variant}); loading ${modelPath}…`);
try {
  const started = performance.now();
  const model = await loadServedModel(modelPath);
  server.load(model);
  console.log(
    `${model.format} model ${model.version} loaded in ${(performance.now() - started).toFixed(0)} ms: POST ${url}/invocations, GET ${url}/ping`,
  );
} catch (e) {
  console.error(`could not load the model: ${(e as Error).message}`);
  await server.close();
  // A model.json that is not a model is bad input, as a missing one is; anything else is a failed run.
  process.exit(e instanceof ArtifactError ? EXIT.usage : EXIT.failed);
}

const stop = (signal: string) => {
  console.log(`${signal}: stopping the model server`);
  void server.close().then(() => process.exit(0));
};
process.once('SIGINT', () => stop('SIGINT'));
process.once('SIGTERM', () => stop('SIGTERM'));
