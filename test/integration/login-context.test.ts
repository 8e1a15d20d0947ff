import { describe, expect, it } from 'vitest';
import { api, newShopper } from '../support/api';

/** Login passes the caller's context to Cognito (AdminInitiateAuth ContextData): cognito-local takes it too. */
describe('login with the caller’s context', () => {
  it('signs in with a device fingerprint header, and still refuses a wrong password', async () => {
    const shopper = await newShopper();
    const fingerprint = Buffer.from(JSON.stringify({ payload: 'device', signature: 'x' })).toString('base64');
    const login = await api('/v1/auth/login', {
      method: 'POST',
      body: { email: shopper.email, password: shopper.password },
      headers: { 'X-Cognito-Context-Data': fingerprint },
    });
    expect(login.status, JSON.stringify(login.body)).toBe(200);
    expect(login.body).toEqual({
      idToken: expect.any(String),
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      expiresIn: expect.any(Number),
    });
    expect((await api('/v1/users/me', { token: login.body.idToken })).body.email).toBe(shopper.email);

    const wrong = await api('/v1/auth/login', {
      method: 'POST',
      body: { email: shopper.email, password: `${shopper.password}x` },
      headers: { 'X-Cognito-Context-Data': fingerprint },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('UNAUTHORIZED');
  });

  it('answers a malformed fingerprint header with 400 in the contract’s shape', async () => {
    const shopper = await newShopper();
    const res = await api('/v1/auth/login', {
      method: 'POST',
      body: { email: shopper.email, password: shopper.password },
      headers: { 'X-Cognito-Context-Data': 'not a fingerprint' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: 'VALIDATION_ERROR',
      details: [{ path: 'headers.x-cognito-context-data' }],
    });
  });
});
