import * as z from 'zod/mini';
import type { RouteContract } from '../../api/contract';

type JsonSchema = Record<string, unknown>;

const schemaOf = (schema: z.ZodMiniType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
};

const errorSchema: JsonSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: {
          type: 'string',
          enum: [
            'VALIDATION_ERROR',
            'UNAUTHORIZED',
            'FORBIDDEN',
            'NOT_FOUND',
            'CONFLICT',
            'INSUFFICIENT_STOCK',
            'PAYLOAD_TOO_LARGE',
            'UNSUPPORTED_MEDIA_TYPE',
            'RATE_LIMITED',
            'INTERNAL',
            'DEPENDENCY_UNAVAILABLE',
          ],
        },
        message: { type: 'string' },
        details: {
          type: 'array',
          items: {
            type: 'object',
            required: ['path', 'message'],
            properties: { path: { type: 'string' }, message: { type: 'string' } },
          },
        },
      },
    },
  },
};

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

const parametersOf = (schema: z.ZodMiniType | undefined, where: 'path' | 'query') => {
  if (!schema) return [];
  const json = schemaOf(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: property,
  }));
};

/** The API's title and version, as GET /v1/openapi.json and the generated clients (clients/) carry them. */
export const API_INFO = { title: 'ECIComm API', version: '1.0.0' } as const;

/** OpenAPI 3.1 of every route, from the same zod schemas that validate the requests. */
export function buildOpenApi(routes: readonly RouteContract[], info: { title: string; version: string } = API_INFO) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const partner = route.auth.kind === 'apiKey';
    const secured = route.auth.kind !== 'none' && !partner;
    const responses: Record<string, unknown> = {
      [route.response.status]: {
        description: 'Success',
        ...(route.response.schema
          ? { content: { 'application/json': { schema: schemaOf(route.response.schema, 'output') } } }
          : {}),
      },
      '400': errorResponse('Invalid request'),
      '500': errorResponse('Internal error'),
    };
    if (secured) responses['401'] = errorResponse('Missing or invalid token');
    // API Gateway answers a missing or unknown API key 403 (INVALID_API_KEY), before any function runs.
    if (partner) responses['403'] = errorResponse('Missing or invalid API key');
    if (route.auth.kind === 'groups')
      responses['403'] = errorResponse(`Requires the ${route.auth.groups.join(' or ')} group`);
    if (route.request?.params) responses['404'] = errorResponse('Not found');
    if (route.request?.body) {
      responses['413'] = errorResponse('Body over 1 MiB');
      responses['415'] = errorResponse('Body is not application/json');
    }
    (paths[route.path.replace(/^\/v1/, '')] ??= {})[route.method.toLowerCase()] = {
      operationId: route.id,
      summary: route.summary,
      tags: [route.context],
      parameters: [
        ...parametersOf(route.request?.params, 'path'),
        ...parametersOf(route.request?.query, 'query'),
        ...(route.headers ?? []).map((h) => ({
          name: h.name,
          in: 'header',
          required: h.required,
          description: h.description,
          schema: { type: 'string' },
        })),
      ],
      ...(route.request?.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: schemaOf(route.request.body, 'input') } },
            },
          }
        : {}),
      ...(secured ? { security: route.auth.kind === 'optional' ? [{}, { cognito: [] }] : [{ cognito: [] }] } : {}),
      ...(partner ? { security: [{ apiKey: [] }] } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: { ...info, description: 'ECIComm public API, contract v1' },
    servers: [{ url: '/v1' }],
    paths,
    components: {
      schemas: { Error: errorSchema },
      securitySchemes: {
        cognito: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A Cognito ID token' },
        apiKey: {
          type: 'apiKey',
          in: 'header',
          name: 'x-api-key',
          description:
            "A partner's API key of the partners' usage plan (in AWS: aws apigateway get-api-key --include-value)",
        },
      },
    },
  };
}
