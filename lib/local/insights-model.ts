/**
 * The demand-insights model on the local substrate: the model server from ml/ in-process (the second
 * SageMaker endpoint's stand-in, ecicomm-local-insights, reached through the platform's one SageMaker
 * runtime, lib/local/platform/sagemaker-runtime.ts), serving LOCAL_DATA_DIR/insights-model/model.json.
 *
 * Like recommendations, the server listens from the start (/ping 503 until a model is loaded), and when
 * the directory holds no model one is trained in the background once the platform is ready — by the
 * trainer the caller injects (the training glue, ml/src/insights/train.ts, lives with the models): a child
 * process, or a promise, that writes `<dir>/model.json`. Until a model is served the analytics routes
 * answer that there is none; nothing else depends on it.
 */
import path from 'node:path';
import type { InsightsArtifact } from '../../ml/src/insights/contract';
import { ArtifactError, hasModel } from '../../ml/src/serve/artifact';
import { loadServedModel } from '../../ml/src/serve/load';
import { createModelServer, type ModelServer } from '../../ml/src/serve/server';
import { assertPortFree } from './emulators';
import { LOCAL_VARIANT, type ModelState } from './recommendations';
import { runTrainer, type InsightsTrainer } from './insights-model-trainer';

export type { InsightsTrainer, InsightsTrainingJob } from './insights-model-trainer';

export const LOCAL_INSIGHTS_ENDPOINT_NAME = 'ecicomm-local-insights';

export interface LocalInsightsOptions {
  /** The model directory (model.json); default `<dataDir>/insights-model`. Tests point it at a hand-made model. */
  dir?: string;
  /** The model server's port; 0 picks a free one (the default). */
  port?: number;
  /** The production variant the server reports (x-Amzn-Invoked-Production-Variant). */
  variant?: string;
  /** Train a model in the background when `dir` holds none (`npm start` does; tests and benchmarks do not). */
  train?: boolean;
  /** What trains it (`train`): writes `<modelDir>/model.json`. Without one, no model is trained. */
  trainer?: InsightsTrainer;
}

export interface InsightsStartContext {
  /** Where the catalog came from: it decides what a model is trained on. */
  catalogSource: 'dataset' | 'demo' | 'none';
  datasetDir?: string;
  projectRoot: string;
  log: (message: string) => void;
  onTrainProgress?: (progress: unknown[]) => void;
}

export interface LocalInsights {
  /** The model server's base URL (GET /ping, POST /invocations). */
  modelUrl: string;
  modelDir: string;
  /** The endpoint, for the platform's SageMaker runtime to route its name to. */
  server: Pick<ModelServer, 'serving'>;
  /** What the functions that invoke the insights endpoint run with. */
  env: Record<string, string>;
  // Closures, handed on without this object (the platform exposes them).
  state: () => ModelState;
  /** Resolves once a model is served (at once if one was on disk), rejects if training fails. */
  served: () => Promise<string>;
  /** Called once the platform is ready: serves the model on disk, or trains one in the background. */
  start(context: InsightsStartContext): Promise<void>;
  stop(): Promise<void>;
}

export async function prepareLocalInsights(
  options: LocalInsightsOptions & { dataDir: string },
): Promise<LocalInsights> {
  const port = options.port ?? 0;
  if (port !== 0) await assertPortFree(port, 'insights model server');
  const server = createModelServer({
    variant: options.variant ?? LOCAL_VARIANT,
    endpointName: LOCAL_INSIGHTS_ENDPOINT_NAME,
  });
  const { url } = await server.listen(port);
  return new LocalInsightsHost(options, server, url, options.dir ?? path.join(options.dataDir, 'insights-model'));
}

/** The model server and what it serves; its methods are arrow functions as the platform hands them on unbound. */
class LocalInsightsHost implements LocalInsights {
  readonly env = { INSIGHTS_ENDPOINT_NAME: LOCAL_INSIGHTS_ENDPOINT_NAME };
  private current: ModelState = { status: 'no-model', reason: 'not started' };
  private training: { stop(): void } | undefined;
  private stopped = false;
  private resolveServed!: (version: string) => void;
  private rejectServed!: (error: Error) => void;
  private readonly servedPromise = new Promise<string>(
    (resolve, reject) => ((this.resolveServed = resolve), (this.rejectServed = reject)),
  );

  constructor(
    private readonly options: LocalInsightsOptions & { dataDir: string },
    readonly server: ModelServer,
    readonly modelUrl: string,
    readonly modelDir: string,
  ) {
    this.servedPromise.catch(() => undefined); // Observed by whoever asks; not an unhandled rejection meanwhile.
  }

  state = () => this.current;
  served = () => this.servedPromise;

  start = async (context: InsightsStartContext) => {
    const { options, modelDir } = this;
    if (hasModel(modelDir)) {
      try {
        this.serve(await this.load());
        context.log(`insights model: serving ${this.server.model?.version} from ${modelDir} on ${this.modelUrl}`);
        return;
      } catch (e) {
        // An unreadable or outdated model must not stop the platform: replace it, or go without.
        if (!(e instanceof ArtifactError)) throw e;
        context.log(`insights model: ${e.message}`);
      }
    }
    const trainer = options.trainer;
    if (!options.train || !trainer || context.catalogSource === 'none') {
      const reason = !options.train
        ? `no model in ${modelDir}`
        : !trainer
          ? 'no trainer given'
          : 'no catalog to train for';
      this.current = { status: 'no-model', reason };
      return;
    }
    this.current = { status: 'training', since: new Date().toISOString() };
    context.log(`insights model: none in ${modelDir}; training one in the background`);
    void this.train(trainer, context).catch((e: Error) => {
      if (this.stopped) return;
      this.current = { status: 'failed', error: e.message };
      this.rejectServed(e);
      context.log(`insights model: training failed: ${e.message.split('\n')[0]}`);
    });
  };

  stop = async () => {
    this.stopped = true;
    this.training?.stop();
    await this.server.close();
  };

  /** An insights artifact from the directory: a recommendation model there is as wrong as a broken file. */
  private async load(): Promise<InsightsArtifact> {
    const model = await loadServedModel(this.modelDir);
    if (model.format !== 'ecicomm-insights/1')
      throw new ArtifactError(`${this.modelDir} holds a ${model.format} model, not demand insights`);
    return model;
  }

  private serve(model: InsightsArtifact) {
    this.server.load(model);
    this.current = { status: 'serving', version: model.version };
    this.resolveServed(model.version);
  }

  private async train(trainer: InsightsTrainer, context: InsightsStartContext) {
    const started = performance.now();
    const job = { ...context, dataDir: this.options.dataDir, modelDir: this.modelDir };
    const run = runTrainer(trainer, job);
    this.training = run;
    await run.done;
    this.training = undefined;
    if (this.stopped) return;
    if (!hasModel(this.modelDir)) throw new Error(`the trainer finished without writing ${this.modelDir}/model.json`);
    this.serve(await this.load());
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    context.log(
      `insights model: trained ${this.current.status === 'serving' ? this.current.version : '?'} in ${seconds} s; serving it on ${this.modelUrl}`,
    );
  }
}
