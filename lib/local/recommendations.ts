/**
 * Recommendations on the local substrate: the model server from ml/ in-process (the SageMaker endpoint's
 * stand-in, reached by the recommendations function through AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME), the
 * model it serves in LOCAL_DATA_DIR/model, and the popularity aggregate the function falls back on.
 *
 * The server listens from the start and answers /ping with 503 until a model is loaded. When the model
 * directory holds none, one is trained in the background once the platform is ready, so `npm start`
 * stays fast: from the dataset when the catalog came from it, or from a synthetic history of the demo
 * catalog (lib/local/seed/demo-history.ts) when it did not. Until it is served, the function falls back
 * to popularity — first the seed catalog's own figures, then the model's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { writePopularAggregate } from '../../functions/recommendations/adapters/dynamo-popular';
import type { ModelArtifact } from '../../ml/src/model';
import { ArtifactError, hasModel, loadArtifact } from '../../ml/src/serve/artifact';
import { createModelServer, type ModelServer } from '../../ml/src/serve/server';
import { assertPortFree } from './emulators';
import type { SeedProduct } from '../../catalog-data/catalog';
import { DEMO_CATALOG } from './seed/demo-catalog';
import { writeDemoHistory } from './seed/demo-history';
import type { TrainerMessage } from './train-model-child';

export const LOCAL_ENDPOINT_NAME = 'ecicomm-local-recommendations';
export const LOCAL_VARIANT = 'local';

export interface LocalModelOptions {
  /** The model directory (model.json); default `<dataDir>/model`. Tests point it at a hand-made model. */
  dir?: string;
  /** The model server's port; 0 picks a free one (the default); `npm start` uses MODEL_PORT or 8080. */
  port?: number;
  /** The production variant the server reports (x-Amzn-Invoked-Production-Variant). */
  variant?: string;
  /** Train a model in the background when `dir` holds none (`npm start` does; tests and benchmarks do not). */
  train?: boolean;
  /**
   * The URL the recommendations function calls as its SageMaker runtime endpoint; the model server by
   * default. Tests put a fault-injecting proxy in front of the server here.
   */
  endpointUrl?: string;
  /** How long the function's breaker stays open (MODEL_BREAKER_HALF_OPEN_MS); the production default otherwise. */
  breakerHalfOpenMs?: number;
}

export type ModelState =
  | { status: 'serving'; version: string }
  | { status: 'training'; since: string }
  | { status: 'no-model'; reason: string }
  | { status: 'failed'; error: string };

export interface LocalRecommendations {
  /** The model server's base URL (GET /ping, POST /invocations, POST /endpoints/{name}/invocations). */
  modelUrl: string;
  modelDir: string;
  /** The endpoint, for the platform's SageMaker runtime to route its name to (lib/local/platform/sagemaker-runtime.ts). */
  server: Pick<ModelServer, 'serving'>;
  /** What the recommendations function runs with. */
  env: Record<string, string>;
  // state and served are closures, handed on without this object (the platform exposes them).
  state: () => ModelState;
  /** Resolves once a model is served (at once if one was on disk), rejects if training fails. */
  served: () => Promise<string>;
  /**
   * Called once the platform is ready: serves the model on disk, or writes the seed catalog's ranking
   * and trains one in the background; writes the popularity aggregate from the model served.
   */
  start(context: StartContext): Promise<void>;
  stop(): Promise<void>;
}

export interface StartContext {
  dynamo: DynamoDBDocumentClient;
  aggregatesTable: string;
  /** Where the catalog came from: it decides what a model is trained on. */
  catalogSource: 'dataset' | 'demo' | 'none';
  /** The seed catalog, when it was loaded in this run: its popularity is the ranking until a model exists. */
  catalog?: readonly SeedProduct[];
  datasetDir?: string;
  projectRoot: string;
  log: (message: string) => void;
  onTrainProgress?: (progress: unknown[]) => void;
}

export async function prepareLocalRecommendations(
  options: LocalModelOptions & { dataDir: string },
): Promise<LocalRecommendations> {
  const modelDir = options.dir ?? path.join(options.dataDir, 'model');
  const variant = options.variant ?? LOCAL_VARIANT;
  const port = options.port ?? 0;
  if (port !== 0) await assertPortFree(port, 'model server');
  const server: ModelServer = createModelServer({ variant, endpointName: LOCAL_ENDPOINT_NAME });
  const { url: modelUrl } = await server.listen(port);
  return new LocalModelHost(options, server, modelUrl, modelDir, variant);
}

/** How a training process ended. */
interface TrainerExit {
  code: number | null;
  outcome: TrainerMessage | undefined;
  /** Its last 4000 characters of stderr. */
  stderr: string;
}

/** The model server and what it serves; its methods are arrow functions as the platform hands them on unbound. */
class LocalModelHost implements LocalRecommendations {
  readonly env: Record<string, string>;
  private current: ModelState = { status: 'no-model', reason: 'not started' };
  private trainer: ChildProcess | undefined;
  private stopped = false;
  private resolveServed!: (version: string) => void;
  private rejectServed!: (error: Error) => void;
  private readonly servedPromise = new Promise<string>(
    (resolve, reject) => ((this.resolveServed = resolve), (this.rejectServed = reject)),
  );

  constructor(
    private readonly options: LocalModelOptions & { dataDir: string },
    readonly server: ModelServer,
    readonly modelUrl: string,
    readonly modelDir: string,
    variant: string,
  ) {
    this.servedPromise.catch(() => undefined); // Observed by whoever asks; not an unhandled rejection meanwhile.
    this.env = {
      AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: options.endpointUrl ?? modelUrl,
      SAGEMAKER_ENDPOINT_NAME: LOCAL_ENDPOINT_NAME,
      MODEL_VARIANT: variant,
      ...(options.breakerHalfOpenMs !== undefined
        ? { MODEL_BREAKER_HALF_OPEN_MS: String(options.breakerHalfOpenMs) }
        : {}),
    };
  }

  state = () => this.current;
  served = () => this.servedPromise;

  start = async (context: StartContext) => {
    const { options, modelDir, modelUrl } = this;
    if (hasModel(modelDir)) {
      try {
        await this.serve(await loadArtifact(modelDir), context);
        context.log(
          `model: serving ${this.current.status === 'serving' ? this.current.version : '?'} from ${modelDir} on ${modelUrl}`,
        );
        return;
      } catch (e) {
        // An unreadable or outdated model must not stop the platform: replace it, and fall back meanwhile.
        if (!(e instanceof ArtifactError)) throw e;
        context.log(
          `model: ${e.message}; ${options.train ? 'training a new one' : 'recommendations fall back to popularity'}`,
        );
      }
    }
    if (context.catalog?.length) {
      const ranking = [...context.catalog]
        .sort((a, b) => b.popularity - a.popularity)
        .map((p): [string, number] => [p.id, p.popularity]);
      await writePopularAggregate(context.dynamo, context.aggregatesTable, {
        items: ranking,
        modelVersion: 'catalog-popularity',
      });
    }
    if (!options.train || context.catalogSource === 'none') {
      this.current = {
        status: 'no-model',
        reason: options.train ? 'no catalog to train for' : `no model in ${modelDir}`,
      };
      return;
    }
    this.current = { status: 'training', since: new Date().toISOString() };
    void this.train(context).catch((e: Error) => {
      if (this.stopped) return;
      this.current = { status: 'failed', error: e.message };
      this.rejectServed(e);
      context.log(
        `model: training failed, recommendations keep falling back to popularity: ${e.message.split('\n')[0]}`,
      );
    });
  };

  stop = async () => {
    this.stopped = true;
    if (this.trainer && this.trainer.exitCode === null) this.trainer.kill('SIGTERM');
    await this.server.close();
  };

  private async serve(model: ModelArtifact, context: StartContext) {
    this.server.load(model);
    this.current = { status: 'serving', version: model.version };
    await writePopularAggregate(context.dynamo, context.aggregatesTable, {
      items: model.popularity,
      modelVersion: model.version,
      computedAt: model.trainedAt,
    });
    this.resolveServed(model.version);
  }

  private async train(context: StartContext) {
    const { modelDir, modelUrl } = this;
    const { data, until } = this.trainingData(context);
    context.log(
      `model: none in ${modelDir}; training one in the background from ${data} (recommendations fall back to popularity until it is served)`,
    );
    const { code, outcome, stderr } = await this.runTrainer(context, data, until);
    if (this.stopped) return;
    if (outcome?.type !== 'done' || code !== 0 || !hasModel(modelDir)) {
      const error =
        outcome?.type === 'failed'
          ? outcome.error
          : `the training process exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' / ')}`;
      throw new Error(error);
    }
    context.log(`model: trained ${outcome.version} in ${(outcome.ms / 1000).toFixed(1)} s; serving it on ${modelUrl}`);
    await this.serve(await loadArtifact(modelDir), context);
  }

  /** The dataset when the catalog came from it; otherwise a synthetic history of the demo catalog. */
  private trainingData(context: StartContext): { data: string; until?: string } {
    if (context.catalogSource === 'dataset' && context.datasetDir) return { data: context.datasetDir };
    const history = writeDemoHistory(path.join(this.options.dataDir, 'demo-history'), DEMO_CATALOG);
    context.log(
      `model: wrote a synthetic order history of the demo catalog (${history.invoices} invoices, ${history.lines} lines) to ${history.dir}`,
    );
    return { data: history.dir, until: history.until };
  }

  /** Trains in a child process (the CPU work stays out of the platform's event loop). */
  private async runTrainer(context: StartContext, data: string, until: string | undefined): Promise<TrainerExit> {
    const script = path.join(context.projectRoot, 'lib', 'local', 'train-model-child.ts');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', script, '--data', data, '--out', this.modelDir, ...(until ? ['--until', until] : [])],
      {
        cwd: context.projectRoot,
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      },
    );
    this.trainer = child;
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-4000)));
    let outcome: TrainerMessage | undefined;
    child.on('message', (message: TrainerMessage) => {
      if (message.type === 'progress') context.onTrainProgress?.(message.progress);
      else outcome = message;
    });
    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', (c) => resolve(c));
      child.once('error', (e) => {
        stderr += e.message;
        resolve(null);
      });
    });
    this.trainer = undefined;
    return { code, outcome, stderr };
  }
}
