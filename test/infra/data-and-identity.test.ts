import { App } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { PASSWORD_POLICY } from '../../functions/users/schemas';
import { EciCommStack } from '../../lib/stacks/platform-stack';
import { streamConsumers } from '../../lib/stream-consumers';
import { tables as tableSpecs, type TableKey, type TableSpec } from '../../lib/tables';
import { allResources, logicalIdOf, referenceFrom } from '../support/cdk-templates';

type CfnResource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string };

let stack: EciCommStack;
let resources: Record<string, CfnResource>;

const logicalId = (construct: IConstruct) => logicalIdOf(construct);
const specs = Object.entries(tableSpecs) as [TableKey, TableSpec][];
const tableOf = (key: TableKey) => resources[logicalId(stack.data.tables[key])];
const ofType = (type: string) => Object.values(resources).filter((r) => r.Type === type);

beforeAll(() => {
  // No bundling, and CloudFormation's schema validation (4 s) runs once, in cdk-nag.test.ts.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  stack = new EciCommStack(app, 'DataTest', { namePrefix: 'ecicomm-test' });
  // Every stack of the stage: the route functions are in a nested one (lib/contexts/api.ts).
  resources = allResources(stack);
});

describe('tables from lib/tables.ts', () => {
  it('builds one table per spec and no other', () => {
    expect(ofType('AWS::DynamoDB::Table')).toHaveLength(specs.length);
  });

  it.each(specs)("%s has the spec's name, keys and indexes", (key, spec) => {
    const table = tableOf(key).Properties;
    expect(table.TableName).toBe(`ecicomm-test-${spec.name}`);
    const keySchema = [{ AttributeName: spec.partitionKey, KeyType: 'HASH' }];
    if (spec.sortKey) keySchema.push({ AttributeName: spec.sortKey, KeyType: 'RANGE' });
    expect(table.KeySchema).toEqual(keySchema);
    const indexes = (table.GlobalSecondaryIndexes ?? []).map((i: any) => ({
      name: i.IndexName,
      partitionKey: i.KeySchema[0].AttributeName,
      ...(i.KeySchema[1] ? { sortKey: i.KeySchema[1].AttributeName } : {}),
    }));
    expect(indexes).toEqual(spec.indexes ?? []);
    if (spec.ttlAttribute)
      expect(table.TimeToLiveSpecification).toEqual({ AttributeName: spec.ttlAttribute, Enabled: true });
    else expect(table.TimeToLiveSpecification).toBeUndefined();
  });

  it('lets DynamoDB expire carts by `ttl` and idempotency records by `expiration`, indexes orders by user and PENDING ones by age, and open payment intents by attempt', () => {
    expect(tableOf('carts').Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'ttl', Enabled: true });
    expect(tableOf('idempotency').Properties.TimeToLiveSpecification).toEqual({
      AttributeName: 'expiration',
      Enabled: true,
    });
    expect(tableOf('orders').Properties.GlobalSecondaryIndexes).toEqual([
      expect.objectContaining({
        IndexName: 'byUser',
        KeySchema: [
          { AttributeName: 'userId', KeyType: 'HASH' },
          { AttributeName: 'createdAt', KeyType: 'RANGE' },
        ],
      }),
      expect.objectContaining({
        IndexName: 'pendingByAge',
        KeySchema: [
          { AttributeName: 'pending', KeyType: 'HASH' },
          { AttributeName: 'createdAt', KeyType: 'RANGE' },
        ],
      }),
    ]);
    expect(tableOf('payments').Properties.GlobalSecondaryIndexes).toEqual([
      expect.objectContaining({
        IndexName: 'openIntents',
        KeySchema: [
          { AttributeName: 'open', KeyType: 'HASH' },
          { AttributeName: 'attemptAt', KeyType: 'RANGE' },
        ],
      }),
    ]);
  });

  it.each(specs)('%s is on demand, with PITR, encryption and deletion protection', (key) => {
    const table = tableOf(key);
    expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table.Properties.SSESpecification.SSEEnabled).toBe(true);
    expect(table.Properties.DeletionProtectionEnabled).toBe(true);
    expect(table.DeletionPolicy).toBe('Retain');
  });

  it('streams both images of exactly the tables a stream consumer reads, and no other', () => {
    const consumed = new Set(streamConsumers.flatMap((c) => (c.source.kind === 'table' ? [c.source.table] : [])));
    expect([...consumed].sort()).toEqual(['inventory', 'orders', 'products', 'users']);
    for (const [key] of specs) {
      const stream = tableOf(key).Properties.StreamSpecification;
      if (consumed.has(key)) expect(stream).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
      else expect(stream).toBeUndefined();
    }
  });
});

describe('identity', () => {
  it("uses the email as the username and the contract's password policy", () => {
    const pool = resources[logicalId(stack.identity.userPool)].Properties;
    expect(pool.UsernameAttributes).toEqual(['email']);
    expect(pool.Policies.PasswordPolicy).toMatchObject({
      MinimumLength: PASSWORD_POLICY.minLength,
      RequireUppercase: true,
      RequireLowercase: true,
      RequireNumbers: true,
      RequireSymbols: true,
    });
  });

  it('enforces threat protection on the Plus tier', () => {
    const pool = resources[logicalId(stack.identity.userPool)].Properties;
    expect(pool.UserPoolTier).toBe('PLUS');
    expect(pool.UserPoolAddOns).toEqual({ AdvancedSecurityMode: 'ENFORCED' });
    expect(pool.DeletionProtection).toBe('ACTIVE');
  });

  it('has the admin and analyst groups', () => {
    expect(
      ofType('AWS::Cognito::UserPoolGroup')
        .map((g) => g.Properties.GroupName)
        .sort(),
    ).toEqual(['admin', 'analyst']);
  });

  it("has a public client that signs in only server-side (ADMIN_USER_PASSWORD_AUTH, with the caller's context), with refresh tokens", () => {
    const client = resources[logicalId(stack.identity.userPoolClient)].Properties;
    // No USER_PASSWORD_AUTH: the client id is public, and passwords would be tried against Cognito around the firewall.
    expect(client.ExplicitAuthFlows.sort()).toEqual(['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']);
    expect(client.GenerateSecret).toBe(false);
    expect(client.PreventUserExistenceErrors).toBe('ENABLED');
  });

  it('lets the login function sign in on this pool only, and nothing else on it', () => {
    const login = stack.api.functions.get('login')!;
    const role = logicalId(login.role);
    const policies = Object.values(resources).filter(
      (r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: { Ref: string }) => x.Ref === role),
    );
    const cognito = policies
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((s: { Action: string | string[] }) => [s.Action].flat().some((a) => a.startsWith('cognito-idp:')));
    expect(cognito).toEqual([
      {
        Effect: 'Allow',
        Action: 'cognito-idp:AdminInitiateAuth',
        Resource: referenceFrom(login.role, stack.identity.userPool, 'Arn'),
      },
    ]);
  });
});
