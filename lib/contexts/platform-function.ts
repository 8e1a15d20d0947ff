import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, Stack, Stage, Tags, Token, Validations } from 'aws-cdk-lib';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal, type IRole } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IStream } from 'aws-cdk-lib/aws-kinesis';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { WAREHOUSE_READER_ROLE } from '../../functions/analytics/ports';
import type { FunctionSpec, SearchAccess, WarehouseAccess } from '../function-spec';
import { grantBuckets, type FunctionBuckets } from './function-buckets';
import { FUNCTION_HANDLER, functionCode, PROJECT_ROOT } from './function-bundling';
import { arnReferencesFrom, logicalIdOf } from './nag-references';
import { streams as streamSpecs, type StreamAccess, type StreamKey } from '../streams';
import { tables as tableSpecs, type TableAccess, type TableKey, type TableSpec } from '../tables';

export const FUNCTION_RUNTIME = Runtime.NODEJS_22_X;
export const FUNCTION_LOG_RETENTION = RetentionDays.ONE_MONTH;
/** API Gateway gives up after 29 s; a route that needs longer belongs behind the saga, not a request. */
export const DEFAULT_FUNCTION_TIMEOUT = Duration.seconds(10);
/**
 * A warehouse query is a Data API round trip (submit, poll, fetch) on Redshift Serverless, which may first have
 * to start compute: such functions get the most a request can wait, still under API Gateway's 29 s.
 */
export const WAREHOUSE_FUNCTION_TIMEOUT = Duration.seconds(28);

/**
 * What any function of the platform is, whoever lists it: a route (lib/routes.ts), a saga Task or a
 * scheduled job (lib/saga.ts), or the optional-auth authorizer. A Route is one, as is a FunctionSpec.
 */
export interface FunctionDefinition extends Omit<FunctionSpec, 'tables'> {
  /** What the function may touch: each table it names is granted and passed in as an environment variable. */
  readonly tables?: FunctionSpec['tables'];
  /** The Kinesis streams it uses: each is granted and passed in as an environment variable. */
  readonly streams?: Readonly<Partial<Record<StreamKey, StreamAccess>>>;
  /** Cognito user-pool actions called with IAM credentials; defined (even empty) means it gets the pool's ids. */
  readonly userPoolActions?: readonly string[];
  /** Starts executions of the checkout saga (ORDER_SAGA_ARN, states:StartExecution on it only). */
  readonly startsSaga?: boolean;
  /** Reads the checkout saga's executions' status (ORDER_SAGA_ARN, states:DescribeExecution on its executions only). */
  readonly describesSagaExecutions?: boolean;
  /** Invokes the recommendations model endpoint (SAGEMAKER_ENDPOINT_NAME, sagemaker:InvokeEndpoint on it only). */
  readonly sagemakerEndpoint?: boolean;
  /** Invokes the demand-insights model endpoint (INSIGHTS_ENDPOINT_NAME, sagemaker:InvokeEndpoint on it only; ml/src/insights). */
  readonly insightsEndpoint?: boolean;
  /** Loads, reads or checks the analytics warehouse (REDSHIFT_* environment and the grants of grantWarehouse). */
  readonly warehouse?: WarehouseAccess;
  /** Reads, indexes, manages or checks the product search engine (OPENSEARCH_* environment, admitted by its access policy). */
  readonly search?: SearchAccess;
  /** Folders (from the project root) the function reads at run time: each is copied beside the bundle, by its name. */
  readonly files?: readonly string[];
}

export interface PlatformFunctionProps {
  readonly definition: FunctionDefinition;
  /** Every table of the app; the function receives and may touch only those its definition names. */
  readonly tables?: Readonly<Partial<Record<TableKey, ITable>>>;
  /** Every stream of the app; the function receives and may touch only those its definition names. */
  readonly streams?: Readonly<Partial<Record<StreamKey, IStream>>>;
  /** Needed when the definition lists userPoolActions. */
  readonly identity?: { readonly userPool: IUserPool; readonly userPoolClient: IUserPoolClient };
  /** Needed when the definition starts the saga. */
  readonly saga?: IStateMachine;
  /** Every bucket of the app; the function receives and may touch only those its definition names. */
  readonly buckets?: FunctionBuckets;
  /** Needed when the definition invokes the model endpoint: its name and ARN (lib/contexts/recommendations.ts). */
  readonly modelEndpoint?: ModelEndpointTarget;
  /** Needed when the definition invokes the demand-insights endpoint: its name and ARN (lib/contexts/insights-model). */
  readonly insightsEndpoint?: ModelEndpointTarget;
  /** Needed when the definition reads or loads the warehouse (lib/contexts/analytics/warehouse.ts). */
  readonly warehouse?: WarehouseTarget;
  /** Needed when the definition uses the search engine (lib/contexts/search.ts). */
  readonly search?: SearchTarget;
  /** The role's description; the definition's summary otherwise. */
  readonly description?: string;
  /** A physical name, for functions an operator's command finds by name (the redrive CLI); generated otherwise. */
  readonly functionName?: string;
  readonly timeout?: Duration;
  /** 512 MB by default; a function that decodes images needs more (and gets more CPU with it). */
  readonly memorySize?: number;
  /**
   * Packages installed beside the bundle instead of bundled (native addons such as sharp), for the function's
   * platform (linux, arm64) whatever the machine that synthesizes.
   */
  readonly nodeModules?: readonly string[];
}

export interface ModelEndpointTarget {
  readonly endpointName: string;
  readonly endpointArn: string;
}

/**
 * What a function needs to reach the warehouse through the Redshift Data API: the Serverless workgroup (name for
 * the calls, ARN for the grants), the database, and the Secrets Manager secret holding the admin credentials the
 * loaders connect with (functions/analytics/deps.ts reads them as environment variables).
 */
export interface WarehouseTarget {
  readonly workgroupName: string;
  readonly workgroupArn: string;
  readonly database: string;
  readonly secretArn: string;
}

/**
 * What a function needs to reach the product search engine: its HTTPS endpoint and the SigV4 service name the
 * OpenSearch client signs with (functions/search reads both from the environment), and the engine's admission of
 * the function's role at an access level of lib/search-access.ts.
 */
export interface SearchTarget {
  /** `https://<endpoint>`, passed as OPENSEARCH_ENDPOINT. */
  readonly endpoint: string;
  /** `es` for an OpenSearch Service domain, `aoss` for Serverless; passed as OPENSEARCH_SIGNING_SERVICE. */
  readonly signingService: string;
  /** Lets the role make the requests of its access level, and no others. */
  admit(role: IRole, access: SearchAccess, functionId: string): void;
}

/** The Data API calls that submit SQL to a workgroup (functions/analytics/adapters/redshift-data-warehouse.ts). */
export const WAREHOUSE_SUBMIT_ACTIONS = [
  'redshift-data:ExecuteStatement',
  'redshift-data:BatchExecuteStatement',
] as const;
/** The Data API calls on a submitted statement: it has no ARN, so they are limited to statements the caller submitted. */
export const WAREHOUSE_STATEMENT_ACTIONS = [
  'redshift-data:DescribeStatement',
  'redshift-data:GetStatementResult',
  'redshift-data:CancelStatement',
] as const;
/**
 * What a reader needs to sign in as its own IAM identity (the Data API without a secret): temporary database
 * credentials for the workgroup, and — for Redshift Serverless to map the identity's RedshiftDbRoles tag to the
 * database role — reading tags (AWS: "Defining database roles to grant to federated users").
 */
export const WAREHOUSE_READER_SIGN_IN_ACTIONS = ['redshift-serverless:GetCredentials'] as const;
export const WAREHOUSE_READER_TAG_ACTIONS = ['tag:GetResources', 'tag:GetTagKeys'] as const;
/** The IAM tag that maps a reader's database user (IAMR:<role name>) to the reader role at each sign-in. */
export const REDSHIFT_DB_ROLES_TAG = 'RedshiftDbRoles';

/**
 * The one way a function of the platform is built: the defaults (runtime, architecture, tracing, log
 * retention, the bundle of lib/contexts/function-bundling.ts) plus the environment and grants its definition asks
 * for, and nothing more.
 */
export class PlatformFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: LogGroup;
  readonly role: Role;
  readonly definition: FunctionDefinition;

  constructor(scope: Construct, id: string, props: PlatformFunctionProps) {
    super(scope, id);
    const { definition } = props;
    this.definition = definition;

    this.logGroup = new LogGroup(this, 'Logs', { retention: FUNCTION_LOG_RETENTION });

    // An own role instead of AWSLambdaBasicExecutionRole, whose logs:CreateLogGroup on * the
    // pre-created log group makes unnecessary.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: iamText(`Runs the ${definition.id} function (${props.description ?? definition.summary})`).slice(
        0,
        1000,
      ),
    });
    this.logGroup.grantWrite(this.role);

    this.function = this.buildFunction(props);
    this.grantWhatItUses(props);
    grantBuckets(this, definition, props.buckets);
    this.acknowledgeNagFindings(definition);
  }

  private buildFunction(props: PlatformFunctionProps): NodejsFunction {
    const { definition } = props;
    requireLocalEsbuild(this);
    return new NodejsFunction(this, 'Function', {
      // Built by lib/contexts/function-bundling.ts (split into chunks, which NodejsFunction's bundling cannot do);
      // NodejsFunction keeps the Node.js defaults and checks of the construct.
      code: functionCode(
        { entry: join(PROJECT_ROOT, definition.handler), files: definition.files, nodeModules: props.nodeModules },
        FUNCTION_RUNTIME.bundlingImage,
      ),
      handler: FUNCTION_HANDLER,
      functionName: props.functionName,
      runtime: FUNCTION_RUNTIME,
      architecture: Architecture.ARM_64,
      // Handlers import middy, Powertools and the SDK clients: a cold start is CPU-bound, and CPU scales with memory.
      memorySize: props.memorySize ?? 512,
      // A status check is one control-plane call: it does not wait on the warehouse's compute.
      timeout:
        props.timeout ??
        (definition.warehouse && definition.warehouse !== 'status'
          ? WAREHOUSE_FUNCTION_TIMEOUT
          : DEFAULT_FUNCTION_TIMEOUT),
      tracing: Tracing.ACTIVE,
      logGroup: this.logGroup,
      role: this.role,
      // Lambda caps descriptions at 256 characters; the summary is documentation, and the route table keeps it whole.
      description: definition.summary.slice(0, 256),
      environment: {
        POWERTOOLS_SERVICE_NAME: definition.context,
        // The business metrics' `stage` dimension (functions/shared/observability.ts): the pipeline's stage, or the
        // stack's name when it is deployed by hand outside one.
        ECICOMM_STAGE: stageName(this),
        NODE_OPTIONS: '--enable-source-maps',
        ...environmentFor(definition, props),
      },
    });
  }

  /** The grants its definition asks for: tables, streams, user pool, saga, model endpoints, warehouse, search. */
  private grantWhatItUses(props: PlatformFunctionProps) {
    const { definition } = props;
    this.grantTables(props);
    for (const [key, access] of streamEntries(definition)) {
      const stream = requireStream(definition, key, props.streams);
      // grantWrite: PutRecord(s), ListShards and DescribeStreamSummary on this stream, plus its key's Encrypt
      // when it has a customer-managed one; grantRead: the consumer's Get*/Describe*/List* on it.
      if (access === 'write') stream.grantWrite(this.function);
      else stream.grantRead(this.function);
    }
    this.grantUserPoolActions(props);
    if (definition.startsSaga) requireSaga(definition, props.saga).grantStartExecution(this.function);
    if (definition.describesSagaExecutions) {
      const saga = requireSaga(definition, props.saga);
      saga.grantExecution(this.function, 'states:DescribeExecution');
      // The saga's executions are named by their orders: no narrower ARN than all of this state machine's executions.
      // cdk-nag names the region and account as the template has them: literal once the stack has an environment.
      const { region, account } = Stack.of(this);
      const shown = (value: string, token: string) => (Token.isUnresolved(value) ? `<${token}>` : value);
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:${shown(region, 'AWS::Region')}:${shown(account, 'AWS::AccountId')}:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${logicalIdOf(saga)}"}]}]}:*]`,
        reason: `${definition.id} reads the status of the checkout saga's executions (states:DescribeExecution), which are named by their orders: it may read any execution of that state machine, and no other.`,
      });
    }
    if (definition.sagemakerEndpoint) this.grantInvoke(requireModelEndpoint(definition, props.modelEndpoint));
    if (definition.insightsEndpoint) this.grantInvoke(requireInsightsEndpoint(definition, props.insightsEndpoint));
    if (definition.warehouse) this.grantWarehouse(definition.warehouse, requireWarehouse(definition, props.warehouse));
    if (definition.search) requireSearch(definition, props.search).admit(this.role, definition.search, definition.id);
  }

  /** sagemaker:InvokeEndpoint on this endpoint only: each function may invoke only the endpoint it needs. */
  private grantInvoke(endpoint: ModelEndpointTarget) {
    this.function.addToRolePolicy(
      new PolicyStatement({ actions: ['sagemaker:InvokeEndpoint'], resources: [endpoint.endpointArn] }),
    );
  }

  private acknowledgeNagFindings(definition: FunctionDefinition) {
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Functions run on nodejs22.x on purpose: the local substrate runs the same handlers on Node 22 (DESIGN.md), and middy 7, Powertools and aws-local-stepfunctions are verified there.',
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: [
        'Active tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which only accept Resource "*".',
        ...(definition.warehouse === 'read' || definition.warehouse === 'write'
          ? [
              'Redshift Data API statements have no ARN: DescribeStatement, GetStatementResult and CancelStatement take Resource "*", limited by the redshift-data:statement-owner-iam-userid = ${aws:userid} condition to the statements this function submitted.',
            ]
          : []),
        ...(definition.warehouse === 'read'
          ? [
              'tag:GetResources and tag:GetTagKeys take only Resource "*": Redshift Serverless reads the RedshiftDbRoles tag of the signing-in IAM role through them to map it to the read-only database role.',
            ]
          : []),
      ].join(' '),
    });
  }

  private grantTables({ definition, tables }: PlatformFunctionProps) {
    for (const [key, access] of tableEntries(definition)) {
      const table = requireTable(definition, key, tables);
      const spec: TableSpec = tableSpecs[key];
      grantAccess(table, access, this.function);
      if (spec.indexes?.length) {
        // grant*Data adds `<table arn>/index/*` for a table with indexes: that table's indexes only.
        for (const arn of arnReferencesFrom(this, table))
          Validations.of(this.role).acknowledge({
            id: `AwsSolutions-IAM5[Resource::<${arn}>/index/*]`,
            reason: `${definition.id} queries the indexes of the ${spec.name} table its definition names, and only that table's indexes.`,
          });
      }
    }
  }

  /**
   * IAM cannot tell a SELECT from an INSERT (both are ExecuteStatement), so what a function may do in the database
   * is the database identity it connects as. Loaders connect with the admin secret (they own the schema and
   * migrate it). Readers get no secret: the Data API signs them in as their own IAM role (database user
   * IAMR:<role name>, via GetCredentials), which the role's RedshiftDbRoles tag maps to the reader role — USAGE
   * and SELECT only (migration 5). A status check only reads the workgroup's state, through the control plane.
   */
  private grantWarehouse(access: WarehouseAccess, warehouse: WarehouseTarget) {
    if (access === 'status') {
      this.function.addToRolePolicy(
        new PolicyStatement({ actions: ['redshift-serverless:GetWorkgroup'], resources: [warehouse.workgroupArn] }),
      );
      return;
    }
    this.function.addToRolePolicy(
      new PolicyStatement({ actions: [...WAREHOUSE_SUBMIT_ACTIONS], resources: [warehouse.workgroupArn] }),
    );
    this.function.addToRolePolicy(
      new PolicyStatement({
        actions: [...WAREHOUSE_STATEMENT_ACTIONS],
        resources: ['*'],
        // AWS's documented way to scope these: only statements this role's own session submitted.
        conditions: { StringEquals: { 'redshift-data:statement-owner-iam-userid': '${aws:userid}' } },
      }),
    );
    if (access === 'read') {
      this.function.addToRolePolicy(
        new PolicyStatement({ actions: [...WAREHOUSE_READER_SIGN_IN_ACTIONS], resources: [warehouse.workgroupArn] }),
      );
      this.function.addToRolePolicy(
        new PolicyStatement({ actions: [...WAREHOUSE_READER_TAG_ACTIONS], resources: ['*'] }),
      );
      Tags.of(this.role).add(REDSHIFT_DB_ROLES_TAG, WAREHOUSE_READER_ROLE);
      return;
    }
    // The Data API fetches the credentials with the caller's permissions. The secret is encrypted with the
    // AWS-managed Secrets Manager key, whose policy lets any principal of the account decrypt through Secrets
    // Manager: no kms grant.
    this.function.addToRolePolicy(
      new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [warehouse.secretArn] }),
    );
  }

  private grantUserPoolActions({ definition, identity }: PlatformFunctionProps) {
    if (!definition.userPoolActions?.length) return;
    this.function.addToRolePolicy(
      new PolicyStatement({
        actions: [...definition.userPoolActions],
        resources: [requireIdentity(definition, identity).userPool.userPoolArn],
      }),
    );
  }
}

/** IAM descriptions take Latin-1 only; summaries may say `A → B`. */
const iamText = (text: string) => text.replaceAll('→', '->').replace(/[^\t\n\r\x20-\x7E\xA1-\xFF]/g, '?');

export function tableEntries(definition: Pick<FunctionDefinition, 'tables'>): [TableKey, TableAccess][] {
  return Object.entries(definition.tables ?? {}) as [TableKey, TableAccess][];
}

export function streamEntries(definition: Pick<FunctionDefinition, 'streams'>): [StreamKey, StreamAccess][] {
  return Object.entries(definition.streams ?? {}) as [StreamKey, StreamAccess][];
}

/** The pipeline stage a construct is deployed in, or the name of its top-level stack when it is in none. */
function stageName(scope: Construct): string {
  const stage = Stage.of(scope)?.stageName;
  if (stage) return stage;
  let stack = Stack.of(scope);
  while (stack.nestedStackParent) stack = stack.nestedStackParent;
  return stack.stackName;
}

function environmentFor(
  definition: FunctionDefinition,
  { tables, streams, identity, saga, modelEndpoint, insightsEndpoint, warehouse, search }: PlatformFunctionProps,
): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const [key] of tableEntries(definition))
    environment[tableSpecs[key].envVar] = requireTable(definition, key, tables).tableName;
  for (const [key] of streamEntries(definition))
    environment[streamSpecs[key].envVar] = requireStream(definition, key, streams).streamName;
  // An empty list still means the function talks to the pool (public calls such as InitiateAuth, or
  // verifying its tokens).
  if (definition.userPoolActions !== undefined) {
    const { userPool, userPoolClient } = requireIdentity(definition, identity);
    environment.USER_POOL_ID = userPool.userPoolId;
    environment.USER_POOL_CLIENT_ID = userPoolClient.userPoolClientId;
  }
  if (definition.startsSaga || definition.describesSagaExecutions)
    environment.ORDER_SAGA_ARN = requireSaga(definition, saga).stateMachineArn;
  if (definition.sagemakerEndpoint)
    environment.SAGEMAKER_ENDPOINT_NAME = requireModelEndpoint(definition, modelEndpoint).endpointName;
  if (definition.insightsEndpoint)
    environment.INSIGHTS_ENDPOINT_NAME = requireInsightsEndpoint(definition, insightsEndpoint).endpointName;
  if (definition.warehouse) {
    const target = requireWarehouse(definition, warehouse);
    environment.REDSHIFT_WORKGROUP = target.workgroupName;
    environment.REDSHIFT_DATABASE = target.database;
    // Only the loaders sign in with the admin credentials; readers sign in as themselves (grantWarehouse).
    if (definition.warehouse === 'write') environment.REDSHIFT_SECRET_ARN = target.secretArn;
  }
  if (definition.search) {
    const target = requireSearch(definition, search);
    environment.OPENSEARCH_ENDPOINT = target.endpoint;
    environment.OPENSEARCH_SIGNING_SERVICE = target.signingService;
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
    throw new Error(
      'esbuild is not installed in node_modules: run `npm ci` (esbuild is a devDependency); Docker bundling is not supported',
    );
  }
}

function requireTable(definition: FunctionDefinition, key: TableKey, tables: PlatformFunctionProps['tables']): ITable {
  const table = tables?.[key];
  if (!table) throw new Error(`${definition.id} names the ${key} table but no such table was given to its function`);
  return table;
}

function requireStream(
  definition: FunctionDefinition,
  key: StreamKey,
  streams: PlatformFunctionProps['streams'],
): IStream {
  const stream = streams?.[key];
  if (!stream) throw new Error(`${definition.id} names the ${key} stream but no such stream was given to its function`);
  return stream;
}

function requireIdentity(definition: FunctionDefinition, identity: PlatformFunctionProps['identity']) {
  if (!identity) throw new Error(`${definition.id} uses the user pool but no identity was given to its function`);
  return identity;
}

function requireSaga(definition: FunctionDefinition, saga: IStateMachine | undefined): IStateMachine {
  if (!saga) throw new Error(`${definition.id} starts the saga but no state machine was given to its function`);
  return saga;
}

function requireModelEndpoint(
  definition: FunctionDefinition,
  endpoint: ModelEndpointTarget | undefined,
): ModelEndpointTarget {
  if (!endpoint)
    throw new Error(`${definition.id} invokes the model endpoint but no endpoint was given to its function`);
  return endpoint;
}

function requireInsightsEndpoint(
  definition: FunctionDefinition,
  endpoint: ModelEndpointTarget | undefined,
): ModelEndpointTarget {
  if (!endpoint)
    throw new Error(
      `${definition.id} invokes the insights endpoint but no insights endpoint was given to its function`,
    );
  return endpoint;
}

function requireWarehouse(definition: FunctionDefinition, warehouse: WarehouseTarget | undefined): WarehouseTarget {
  if (!warehouse) throw new Error(`${definition.id} uses the warehouse but no warehouse was given to its function`);
  return warehouse;
}

function requireSearch(definition: FunctionDefinition, search: SearchTarget | undefined): SearchTarget {
  if (!search)
    throw new Error(`${definition.id} uses the search engine but no search engine was given to its function`);
  return search;
}
