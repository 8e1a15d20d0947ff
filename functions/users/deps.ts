import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import * as z from 'zod/mini';
import { dynamoDocumentClient } from '../shared/dynamo-client';
import { systemClock } from '../shared/clock';
import { traced } from '../shared/tracing';
import { parseEnv } from '../shared/env';
import { CognitoIdentityProvider } from './adapters/cognito-identity';
import { DynamoProfileRepository } from './adapters/dynamo-profiles';

export const identityProvider = () => {
  const env = parseEnv(z.object({ USER_POOL_ID: z.string(), USER_POOL_CLIENT_ID: z.string() }));
  return new CognitoIdentityProvider(
    traced(new CognitoIdentityProviderClient({})),
    env.USER_POOL_ID,
    env.USER_POOL_CLIENT_ID,
  );
};

export const profileRepository = () => {
  const env = parseEnv(z.object({ USERS_TABLE: z.string() }));
  return new DynamoProfileRepository(dynamoDocumentClient(), env.USERS_TABLE);
};

export const clock = systemClock;
