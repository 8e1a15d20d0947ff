import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { Duration, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Route, TableAccess } from '../routes';
import { tables as tableSpecs, type TableKey, type TableSpec } from '../tables';

/** Handler paths in the route table are relative to the project root, two levels above this file. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const FUNCTION_RUNTIME = Runtime.NODEJS_22_X;
export const FUNCTION_LOG_RETENTION = RetentionDays.ONE_MONTH;

/**
 * middy 7 ships only ESM, so functions are ESM; a few CommonJS dependencies still call `require`,
 * which an ES module does not have until it makes one.
 */
const ESM_REQUIRE_BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

export interface RouteFunctionProps {
  readonly route: Route;
  /** Every table of the app; the function receives and may touch only those its route names. */
  readonly tables: Readonly<Record<TableKey, ITable>>;
  /** Needed when the route lists userPoolActions (the users context and the health probe). */
  readonly identity?: { readonly userPool: IUserPool; readonly userPoolClient: IUserPoolClient };
}

/**
 * The one way a route becomes a Lambda function: the platform defaults (runtime, architecture, tracing,
 * log retention, ESM bundling with the local esbuild) plus the environment and grants its route entry
 * asks for, and nothing more.
 */
export class RouteFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: LogGroup;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: RouteFunctionProps) {
    super(scope, id);
    const { route } = props;

    this.logGroup = new LogGroup(this, 'Logs', { retention: FUNCTION_LOG_RETENTION });

    // An own role instead of AWSLambdaBasicExecutionRole, whose logs:CreateLogGroup on * the
    // pre-created log group makes unnecessary.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${route.id} function (${route.method} ${route.path})`,
    });
    this.logGroup.grantWrite(this.role);

    requireLocalEsbuild(this);
    this.function = new NodejsFunction(this, 'Function', {
      entry: join(PROJECT_ROOT, route.handler),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      runtime: FUNCTION_RUNTIME,
      architecture: Architecture.ARM_64,
      // Handlers import middy, Powertools and the SDK clients: a cold start is CPU-bound, and CPU scales with memory.
      memorySize: 512,
      // API Gateway gives up after 29 s; a route that needs longer belongs behind the saga, not a request.
      timeout: Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      logGroup: this.logGroup,
      role: this.role,
      description: route.summary,
      environment: {
        POWERTOOLS_SERVICE_NAME: route.context,
        NODE_OPTIONS: '--enable-source-maps',
        ...environmentFor(route, props),
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        // Prefer packages' ESM builds: they tree-shake, and the cold start pays for every byte imported.
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        // Stack traces need the mappings, not a second copy of every source file in the bundle.
        sourcesContent: false,
        // The nodejs22.x runtime provides SDK v3; bundling it again would only slow the cold start.
        externalModules: ['@aws-sdk/*'],
        forceDockerBundling: false,
      },
    });

    this.grantTables(props);
    this.grantUserPoolActions(props);

    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Functions run on nodejs22.x on purpose: the local substrate runs the same handlers on Node 22 (DESIGN.md), and middy 7, Powertools and aws-local-stepfunctions are verified there.',
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Active tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which only accept Resource "*".',
    });
  }

  private grantTables({ route, tables }: RouteFunctionProps) {
    for (const [key, access] of tableEntries(route)) {
      const table = tables[key];
      const spec: TableSpec = tableSpecs[key];
      grantAccess(table, access, this.function);
      if (spec.indexes?.length) {
        // grant*Data adds `<table arn>/index/*` for a table with indexes: that table's indexes only.
        Validations.of(this.role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(table)}.Arn>/index/*]`,
          reason: `${route.id} queries the indexes of the ${spec.name} table its route names, and only that table's indexes.`,
        });
      }
    }
  }

  private grantUserPoolActions({ route, identity }: RouteFunctionProps) {
    if (!route.userPoolActions?.length) return;
    this.function.addToRolePolicy(
      new PolicyStatement({ actions: [...route.userPoolActions], resources: [requireIdentity(route, identity).userPool.userPoolArn] }),
    );
  }
}

export function tableEntries(route: Route): [TableKey, TableAccess][] {
  return Object.entries(route.tables ?? {}) as [TableKey, TableAccess][];
}

function environmentFor(route: Route, { tables, identity }: RouteFunctionProps): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const [key] of tableEntries(route)) environment[tableSpecs[key].envVar] = tables[key].tableName;
  // An empty list still means the function talks to the pool (public calls such as InitiateAuth).
  if (route.userPoolActions !== undefined) {
    const { userPool, userPoolClient } = requireIdentity(route, identity);
    environment.USER_POOL_ID = userPool.userPoolId;
    environment.USER_POOL_CLIENT_ID = userPoolClient.userPoolClientId;
  }
  return environment;
}

function grantAccess(table: ITable, access: TableAccess, fn: NodejsFunction) {
  switch (access) {
    case 'read':
      return table.grantReadData(fn);
    case 'write':
      return table.grantWriteData(fn);
    case 'readwrite':
      return table.grantReadWriteData(fn);
  }
}

/**
 * NodejsFunction quietly falls back to Docker when it cannot find esbuild, and no Docker engine runs
 * on the build machines: fail with the actual cause instead.
 */
function requireLocalEsbuild(scope: Construct) {
  if (!Stack.of(scope).bundlingRequired) return;
  if (!existsSync(join(PROJECT_ROOT, 'node_modules', 'esbuild', 'package.json'))) {
    throw new Error('esbuild is not installed in node_modules: run `npm ci` (esbuild is a devDependency); Docker bundling is not supported');
  }
}

function requireIdentity(route: Route, identity: RouteFunctionProps['identity']) {
  if (!identity) throw new Error(`Route ${route.id} uses the user pool but no identity was given to its function`);
  return identity;
}

const logicalIdOf = (construct: Construct) =>
  Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);
