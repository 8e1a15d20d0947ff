import { describe, expect, it } from '@jest/globals';
import * as z from 'zod/mini';
import { parseGroups } from '../../functions/shared/auth';
import { DomainError } from '../../functions/shared/errors';
import { errorResponse, forbiddenKeyPath } from '../../functions/shared/http';
import { decodeCursor, encodeCursor } from '../../functions/shared/pagination';
import { CreateProduct } from '../../functions/catalog/schemas';
import { Password, UpdateProfile } from '../../functions/users/schemas';
import '../../functions/shared/schemas';

describe('error mapping', () => {
  it('maps a zod error to 400 with a detail per issue', () => {
    const result = CreateProduct.safeParse({ name: '', price: 1.5, extra: 1 });
    const res = errorResponse(result.error);
    expect(res.statusCode).toBe(400);
    const body = JSON.parse(res.body);
    expect(body.error.code).toBe('VALIDATION_ERROR');
    expect(body.error.details).toEqual(
      expect.arrayContaining([
        { path: 'price', message: expect.stringContaining('integer') },
        { path: '', message: 'Unknown field: extra' },
        { path: 'category', message: 'Is required' },
      ]),
    );
  });

  it('names the field inside a union option that got furthest: preferences.notifications.email, not its parent', () => {
    const wrongType = UpdateProfile.safeParse({ preferences: { notifications: { email: 'yes' } } });
    const body = JSON.parse(errorResponse(wrongType.error).body);
    expect(body.error.details).toEqual([
      { path: 'preferences.notifications.email', message: expect.stringMatching(/boolean/i) },
    ]);
    expect(body.error.message).toMatch(/^Invalid request: preferences\.notifications\.email: /);
    const unknownChannel = UpdateProfile.safeParse({ preferences: { notifications: { sms: true } } });
    expect(JSON.parse(errorResponse(unknownChannel.error).body).error.details).toEqual([
      { path: 'preferences.notifications', message: expect.stringContaining('sms') },
    ]);
    // A value that no option takes at all is still reported where it is.
    const notAnything = UpdateProfile.safeParse({ preferences: { theme: null } });
    expect(JSON.parse(errorResponse(notAnything.error).body).error.details).toEqual([
      { path: 'preferences.theme', message: expect.any(String) },
    ]);
  });

  it('carries a domain error code and status', () => {
    const res = errorResponse(new DomainError('INSUFFICIENT_STOCK', 'Only 2 left'));
    expect(res.statusCode).toBe(409);
    expect(JSON.parse(res.body)).toEqual({ error: { code: 'INSUFFICIENT_STOCK', message: 'Only 2 left' } });
  });

  it('never serializes an unexpected error to the client', () => {
    const res = errorResponse(new Error('secret connection string xyz'));
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('secret');
  });
});

describe('forbidden body keys', () => {
  it('finds constructor, prototype and __proto__ at any depth, in objects and arrays, with their path', () => {
    expect(forbiddenKeyPath(JSON.parse('{"preferences":{"constructor":"x"}}'))).toBe('preferences.constructor');
    expect(forbiddenKeyPath(JSON.parse('{"items":[{"productId":"p"},{"a":{"prototype":1}}]}'))).toBe(
      'items.1.a.prototype',
    );
    expect(forbiddenKeyPath(JSON.parse('{"a":[[{"__proto__":{}}]]}'))).toBe('a.0.0.__proto__');
    expect(
      forbiddenKeyPath(JSON.parse('{"constructorName":"x","proto":1,"Prototype":2,"text":"constructor"}')),
    ).toBeUndefined();
    expect([null, 1, 'constructor', []].map(forbiddenKeyPath)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('walks a 100,000-deep body without running out of stack', () => {
    const deep = JSON.parse(`${'{"a":'.repeat(100_000)}{"constructor":1}${'}'.repeat(100_000)}`);
    expect(forbiddenKeyPath(deep)?.split('.')).toHaveLength(100_001);
  });
});

describe('schemas', () => {
  it('rejects NUL, markup and control characters in text fields', () => {
    for (const name of ['a\u0000b', '<script>alert(1)</script>', 'line\u0007bell']) {
      expect(
        CreateProduct.safeParse({ name, description: '', category: 'other', brand: 'b', price: 1, currency: 'GBP' })
          .success,
      ).toBe(false);
    }
  });

  it('accepts a password meeting every rule and nothing less', () => {
    expect(Password.safeParse('Good#Pass1').success).toBe(true);
    expect(Password.safeParse('good#pass1').success).toBe(false);
  });

  it('uses zod mini, whose messages come from our own error map', () => {
    expect(z.strictObject({}).safeParse({ a: 1 }).error?.issues[0]?.message).toBe('Unknown field: a');
  });
});

describe('cursors', () => {
  it('round-trips a key and refuses tampered or foreign cursors with 400', () => {
    const cursor = encodeCursor({ id: 'p1', listed: 'ACTIVE' })!;
    expect(decodeCursor(cursor, ['id', 'listed'])).toEqual({ id: 'p1', listed: 'ACTIVE' });
    expect(() => decodeCursor('not-base64-json', ['id', 'listed'])).toThrow(DomainError);
    expect(() => decodeCursor(encodeCursor({ id: 'p1' }), ['id', 'listed'])).toThrow(DomainError);
    expect(() => decodeCursor(encodeCursor({ id: { S: 'x' }, listed: 'A' }), ['id', 'listed'])).toThrow(DomainError);
  });
});

describe('groups claim', () => {
  it('reads the spellings API Gateway and tokens use', () => {
    expect(parseGroups('admin,analyst')).toEqual(['admin', 'analyst']);
    expect(parseGroups('[admin analyst]')).toEqual(['admin', 'analyst']);
    expect(parseGroups(['admin'])).toEqual(['admin']);
    expect(parseGroups(undefined)).toEqual([]);
  });
});
