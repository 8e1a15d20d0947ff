import { describe, expect, it } from 'vitest';
import { routes } from '../../lib/routes';
import { api } from '../support/api';

describe('health and docs', () => {
  it('reports every component ok', async () => {
    const res = await api('/v1/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: 'ok',
      components: { dynamodb: 'ok', identity: 'ok', kinesis: 'ok', warehouse: 'ok', search: 'ok' },
    });
  });

  it('serves an OpenAPI 3 document describing every route', async () => {
    const res = await api('/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
    for (const route of routes) {
      const operation = res.body.paths[route.path.replace(/^\/v1/, '')]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${route.path}`).toMatchObject({ operationId: route.id });
    }
    const create = res.body.paths['/products'].post.requestBody.content['application/json'].schema;
    expect(create.required).toEqual(expect.arrayContaining(['name', 'category', 'price', 'currency']));
    expect(create.additionalProperties).toBe(false);
    // The search routes: every query parameter their schemas take, with its constraints; the result's facets.
    const search = res.body.paths['/search'].get;
    const params = Object.fromEntries(search.parameters.map((p: any) => [p.name, p]));
    expect(Object.keys(params).sort()).toEqual(
      ['brand', 'category', 'limit', 'maxPrice', 'minPrice', 'offset', 'order', 'q', 'sort', 'x-session-id'].sort(),
    );
    expect(params.sort.schema.enum).toEqual(['relevance', 'price', 'popularity', 'newest']);
    expect(params.order.schema.enum).toEqual(['asc', 'desc']);
    expect(params.q.schema.maxLength).toBe(200);
    expect(
      Object.keys(search.responses['200'].content['application/json'].schema.properties.facets.properties).sort(),
    ).toEqual(['brands', 'categories', 'price']);
    const suggest = res.body.paths['/search/suggest'].get;
    expect(suggest.parameters.map((p: any) => [p.name, p.required])).toEqual([
      ['q', true],
      ['limit', false],
    ]);
  });

  it('echoes the client request id, or makes one up', async () => {
    const echoed = await api('/v1/health', { headers: { 'x-request-id': 'trace-me-123' } });
    expect(echoed.headers.get('x-request-id')).toBe('trace-me-123');
    const made = await api('/v1/products/nope');
    expect(made.headers.get('x-request-id')).toMatch(/[0-9a-f-]{36}/);
  });

  it('answers an unknown route with 404 in the contract shape', async () => {
    const res = await api('/v1/nowhere');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });
});
