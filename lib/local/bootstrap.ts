/** Creates what the CDK app would deploy — tables, the user pool with its groups — in the emulators. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import { PASSWORD_POLICY } from '../../functions/users/schemas';
import { hasStream, STREAM_VIEW_TYPE } from '../table-streams';
import type { TableSpec } from '../tables';

const STREAM_ON = { StreamEnabled: true, StreamViewType: STREAM_VIEW_TYPE } as const;

export const physicalTableName = (prefix: string, spec: TableSpec) => `${prefix}-${spec.name}`;

export async function ensureTables(client: DynamoDBClient, prefix: string, specs: TableSpec[]): Promise<void> {
  await Promise.all(
    specs.map(async (spec) => {
      const TableName = physicalTableName(prefix, spec);
      try {
        const { Table } = await client.send(new DescribeTableCommand({ TableName }));
        // A table persisted by an earlier version may predate its TTL attribute or an index, or its stream rule.
        if (spec.ttlAttribute) await ensureTimeToLive(client, TableName, spec.ttlAttribute);
        await ensureStream(client, TableName, spec, Table?.StreamSpecification?.StreamEnabled === true);
        await ensureIndexes(
          client,
          TableName,
          spec,
          new Set((Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName)),
        );
        return;
      } catch (e) {
        if (!(e instanceof ResourceNotFoundException)) throw e;
      }
      const attributes = new Set<string>([spec.partitionKey, ...(spec.sortKey ? [spec.sortKey] : [])]);
      for (const index of spec.indexes ?? []) {
        attributes.add(index.partitionKey);
        if (index.sortKey) attributes.add(index.sortKey);
      }
      await client.send(
        new CreateTableCommand({
          TableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [...attributes].map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
          KeySchema: [
            { AttributeName: spec.partitionKey, KeyType: 'HASH' },
            ...(spec.sortKey ? [{ AttributeName: spec.sortKey, KeyType: 'RANGE' as const }] : []),
          ],
          GlobalSecondaryIndexes: spec.indexes?.length
            ? spec.indexes.map((index) => ({
                IndexName: index.name,
                KeySchema: [
                  { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
                  ...(index.sortKey ? [{ AttributeName: index.sortKey, KeyType: 'RANGE' as const }] : []),
                ],
                Projection: { ProjectionType: 'ALL' as const },
              }))
            : undefined,
          ...(hasStream(spec) ? { StreamSpecification: STREAM_ON } : {}),
        }),
      );
      if (spec.ttlAttribute) {
        await client.send(
          new UpdateTimeToLiveCommand({
            TableName,
            TimeToLiveSpecification: { AttributeName: spec.ttlAttribute, Enabled: true },
          }),
        );
      }
    }),
  );
}

/** Adds the spec's indexes a persisted table lacks, one per UpdateTable as DynamoDB requires; items are backfilled. */
async function ensureIndexes(
  client: DynamoDBClient,
  TableName: string,
  spec: TableSpec,
  existing: Set<string | undefined>,
): Promise<void> {
  for (const index of spec.indexes ?? []) {
    if (existing.has(index.name)) continue;
    await client.send(
      new UpdateTableCommand({
        TableName,
        AttributeDefinitions: [index.partitionKey, ...(index.sortKey ? [index.sortKey] : [])].map((AttributeName) => ({
          AttributeName,
          AttributeType: 'S' as const,
        })),
        GlobalSecondaryIndexUpdates: [
          {
            Create: {
              IndexName: index.name,
              KeySchema: [
                { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
                ...(index.sortKey ? [{ AttributeName: index.sortKey, KeyType: 'RANGE' as const }] : []),
              ],
              Projection: { ProjectionType: 'ALL' as const },
            },
          },
        ],
      }),
    );
  }
}

/** Turns a persisted table's stream on or off as lib/table-streams.ts says (earlier versions streamed every table). */
async function ensureStream(client: DynamoDBClient, TableName: string, spec: TableSpec, enabled: boolean) {
  const wanted = hasStream(spec);
  if (enabled === wanted) return;
  await client.send(
    new UpdateTableCommand({
      TableName,
      StreamSpecification: wanted ? STREAM_ON : { StreamEnabled: false },
    }),
  );
}

async function ensureTimeToLive(client: DynamoDBClient, TableName: string, AttributeName: string): Promise<void> {
  const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName }));
  if (TimeToLiveDescription?.TimeToLiveStatus === 'ENABLED' || TimeToLiveDescription?.TimeToLiveStatus === 'ENABLING')
    return;
  await client.send(
    new UpdateTimeToLiveCommand({ TableName, TimeToLiveSpecification: { AttributeName, Enabled: true } }),
  );
}

export interface UserPoolIds {
  userPoolId: string;
  clientId: string;
}

/** The pool's ids are kept in `stateFile`, so a restart finds the same users. */
export async function ensureUserPool(client: CognitoIdentityProviderClient, stateFile: string): Promise<UserPoolIds> {
  if (existsSync(stateFile)) {
    const saved = JSON.parse(readFileSync(stateFile, 'utf8')) as UserPoolIds;
    try {
      await client.send(new DescribeUserPoolCommand({ UserPoolId: saved.userPoolId }));
      return saved;
    } catch {
      // The pool is gone (its data directory was wiped): make a new one.
    }
  }
  const { UserPool } = await client.send(
    new CreateUserPoolCommand({
      PoolName: 'ecicomm-local',
      UsernameAttributes: ['email'],
      AutoVerifiedAttributes: ['email'],
      Policies: {
        PasswordPolicy: {
          MinimumLength: PASSWORD_POLICY.minLength,
          RequireUppercase: true,
          RequireLowercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        },
      },
    }),
  );
  const userPoolId = UserPool!.Id!;
  const { UserPoolClient } = await client.send(
    new CreateUserPoolClientCommand({
      UserPoolId: userPoolId,
      ClientName: 'ecicomm-api',
      ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }),
  );
  for (const GroupName of ['admin', 'analyst']) {
    await client.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName }));
  }
  const ids = { userPoolId, clientId: UserPoolClient!.ClientId! };
  writeFileSync(stateFile, JSON.stringify(ids, null, 2));
  return ids;
}

/** A user with a known password and groups, as an operator would create one. Returns its `sub`. */
export async function ensureUser(
  client: CognitoIdentityProviderClient,
  userPoolId: string,
  user: { email: string; password: string; groups: string[]; firstName: string; lastName: string },
): Promise<string> {
  let sub: string | undefined;
  try {
    const existing = await client.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: user.email }));
    sub = existing.UserAttributes?.find((a) => a.Name === 'sub')?.Value;
  } catch {
    const created = await client.send(
      new AdminCreateUserCommand({
        UserPoolId: userPoolId,
        Username: user.email,
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'email', Value: user.email },
          { Name: 'email_verified', Value: 'true' },
          { Name: 'given_name', Value: user.firstName },
          { Name: 'family_name', Value: user.lastName },
        ],
      }),
    );
    sub = created.User?.Attributes?.find((a) => a.Name === 'sub')?.Value;
  }
  await client.send(
    new AdminSetUserPasswordCommand({
      UserPoolId: userPoolId,
      Username: user.email,
      Password: user.password,
      Permanent: true,
    }),
  );
  for (const GroupName of user.groups) {
    await client.send(new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: user.email, GroupName }));
  }
  if (!sub) throw new Error(`Cognito returned no sub for ${user.email}`);
  return sub;
}

/** The local admin: a Cognito user in both groups, and its profile record (API.md). Returns its `sub`. */
export async function ensureAdmin(
  cognito: CognitoIdentityProviderClient,
  dynamo: DynamoDBDocumentClient,
  admin: { userPoolId: string; usersTable: string; email: string; password: string },
): Promise<string> {
  const names = { firstName: 'Local', lastName: 'Admin' };
  const userId = await ensureUser(cognito, admin.userPoolId, {
    email: admin.email,
    password: admin.password,
    groups: ['admin', 'analyst'],
    ...names,
  });
  const now = new Date().toISOString();
  await dynamo
    .send(
      new PutCommand({
        TableName: admin.usersTable,
        Item: { userId, email: admin.email, ...names, createdAt: now, updatedAt: now },
        ConditionExpression: 'attribute_not_exists(userId)',
      }),
    )
    .catch((e: Error) => {
      if (e.name !== 'ConditionalCheckFailedException') throw e;
    });
  return userId;
}

/**
 * Verifies Cognito ID tokens as API Gateway's Cognito authorizer does: signature against the pool's
 * JWKS, issuer, audience (the app client), expiry, and token_use "id" (the generic RSA verifier has no
 * notion of it, so the check is ours). Returns the claims, or undefined for any token it refuses.
 */
export async function cognitoIdTokenVerifier(
  issuer: string,
  clientId: string,
): Promise<(token: string) => Promise<Record<string, unknown> | undefined>> {
  const verifier = JwtRsaVerifier.create({
    issuer,
    audience: clientId,
    customJwtCheck: ({ payload }) => {
      if (payload.token_use !== 'id') throw new Error('Not an ID token');
    },
  });
  // aws-jwt-verify only fetches JWKS over https; the emulator serves http, so it is handed the keys.
  const jwks = await (await fetch(`${issuer}/.well-known/jwks.json`)).json();
  verifier.cacheJwks(jwks as Parameters<typeof verifier.cacheJwks>[0]);
  return async (token) => {
    try {
      return await verifier.verify(token);
    } catch {
      return undefined;
    }
  };
}
