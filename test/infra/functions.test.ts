import { App, CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { routes, type Route, type TableAccess } from '../../lib/routes';
import { EciCommStack } from '../../lib/stacks/platform-stack';
import { tables as tableSpecs, type TableKey } from '../../lib/tables';

type CfnResource = { Type: string; Properties: Record<string, any> };
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

let stack: EciCommStack;
let resources: Record<string, CfnResource>;

const logicalId = (construct: IConstruct) =>
  stack.getLogicalId((construct instanceof CfnElement ? construct : construct.node.defaultChild) as CfnElement);
const actionsOf = (s: Statement) => [s.Action].flat();
const resourcesOf = (s: Statement) => [s.Resource].flat();
const tableKeys = Object.keys(tableSpecs) as TableKey[];
const tableIdOf = (key: TableKey) => logicalId(stack.data.tables[key]);
const functionOf = (route: Route) => stack.api.functions.get(route.id)!;
const propertiesOf = (route: Route) => resources[logicalId(functionOf(route).function)].Properties;

/** Every statement of every policy attached to the route function's role. */
function statementsOf(route: Route): Statement[] {
  const roleId = logicalId(functionOf(route).role);
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((r) => r.Properties.PolicyDocument.Statement as Statement[]);
}

const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:BatchGetItem'];
const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

beforeAll(() => {
  // No bundling, and CloudFormation's schema validation (4 s) runs once, in cdk-nag.test.ts.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  stack = new EciCommStack(app, 'FunctionsTest', { namePrefix: 'ecicomm-test' });
  resources = Template.fromStack(stack).toJSON().Resources;
});

describe('every route function', () => {
  it('exists once per route, and there are no other functions', () => {
    expect(Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Function')).toHaveLength(routes.length);
    for (const route of routes) expect(propertiesOf(route).Handler, route.id).toBe('index.handler');
  });

  it.each(routes.map((r) => [r.id, r] as const))('%s runs nodejs22.x on arm64 with active tracing', (_, route) => {
    const fn = propertiesOf(route);
    expect(fn.Runtime).toBe('nodejs22.x');
    expect(fn.Architectures).toEqual(['arm64']);
    expect(fn.TracingConfig).toEqual({ Mode: 'Active' });
  });

  it.each(routes.map((r) => [r.id, r] as const))('%s logs to its own log group with a retention', (_, route) => {
    const logGroupId = logicalId(functionOf(route).logGroup);
    expect(propertiesOf(route).LoggingConfig.LogGroup).toEqual({ Ref: logGroupId });
    expect(resources[logGroupId].Properties.RetentionInDays).toBeGreaterThan(0);
  });

  it.each(routes.map((r) => [r.id, r] as const))('%s gets exactly the environment its route entry implies', (_, route) => {
    const expected: Record<string, unknown> = { POWERTOOLS_SERVICE_NAME: route.context, NODE_OPTIONS: '--enable-source-maps' };
    for (const key of Object.keys(route.tables ?? {}) as TableKey[]) expected[tableSpecs[key].envVar] = { Ref: tableIdOf(key) };
    if (route.userPoolActions !== undefined) {
      expected.USER_POOL_ID = { Ref: logicalId(stack.identity.userPool) };
      expected.USER_POOL_CLIENT_ID = { Ref: logicalId(stack.identity.userPoolClient) };
    }
    expect(propertiesOf(route).Environment.Variables).toEqual(expected);
  });
});

describe('least privilege', () => {
  it.each(routes.map((r) => [r.id, r] as const))('%s may touch only the tables its route names, at the access it names', (_, route) => {
    const named = (route.tables ?? {}) as Partial<Record<TableKey, TableAccess>>;
    const dynamo = statementsOf(route).filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    for (const statement of dynamo) {
      for (const resource of resourcesOf(statement)) {
        // Only this app's tables (and their own indexes), never a literal ARN, let alone a wildcard one.
        expect(resource, JSON.stringify(resource)).not.toBe('*');
        expect(typeof resource, JSON.stringify(resource)).toBe('object');
        const key = tableKeys.find((k) => JSON.stringify(resource).includes(`"${tableIdOf(k)}"`));
        expect(key, `${route.id}: ${JSON.stringify(resource)}`).toBeDefined();
        expect(Object.keys(named), `${route.id} touches ${key}`).toContain(key);
      }
    }
    for (const key of tableKeys) {
      const actions = dynamo
        .filter((s) => resourcesOf(s).some((r) => JSON.stringify(r).includes(`"${tableIdOf(key)}"`)))
        .flatMap(actionsOf);
      const access = named[key];
      const reads = access === 'read' || access === 'readwrite';
      const writes = access === 'write' || access === 'readwrite';
      for (const action of READ_ACTIONS) expect(actions.includes(action), `${route.id} ${key} ${action}`).toBe(reads);
      for (const action of WRITE_ACTIONS) expect(actions.includes(action), `${route.id} ${key} ${action}`).toBe(writes);
    }
  });

  it.each(routes.map((r) => [r.id, r] as const))('%s may call exactly its user-pool actions, on the pool only', (_, route) => {
    const cognito = statementsOf(route).filter((s) => actionsOf(s).some((a) => a.startsWith('cognito-idp:')));
    const actions = route.userPoolActions ?? [];
    if (actions.length === 0) {
      expect(cognito).toEqual([]);
      return;
    }
    expect(cognito.flatMap(actionsOf).sort()).toEqual([...actions].sort());
    for (const statement of cognito) {
      expect(resourcesOf(statement)).toEqual([{ 'Fn::GetAtt': [logicalId(stack.identity.userPool), 'Arn'] }]);
    }
  });

  it.each(routes.map((r) => [r.id, r] as const))('%s has no other permissions than logs, traces, tables and its user-pool actions', (_, route) => {
    const logGroupArn = { 'Fn::GetAtt': [logicalId(functionOf(route).logGroup), 'Arn'] };
    for (const statement of statementsOf(route)) {
      expect(statement.Effect).toBe('Allow');
      for (const action of actionsOf(statement)) {
        const service = action.split(':')[0];
        expect(['logs', 'xray', 'dynamodb', 'cognito-idp'], action).toContain(service);
        if (service === 'logs') expect(resourcesOf(statement), action).toEqual([logGroupArn]);
        if (service === 'xray') expect(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']).toContain(action);
      }
    }
    const role = resources[logicalId(functionOf(route).role)].Properties;
    expect(role.ManagedPolicyArns ?? []).toEqual([]);
    expect(role.Policies ?? []).toEqual([]);
  });
});
