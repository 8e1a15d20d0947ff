import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { adminSession, api, newShopper, platform, strongPassword } from '../support/api';

describe('users and auth', () => {
  it('registers a shopper, confirms them at once and lets them sign in', async () => {
    const email = `Reg-${randomUUID()}@Example.com`;
    const password = strongPassword();
    const registered = await api('/v1/users', {
      method: 'POST',
      body: { email, password, firstName: 'Ada', lastName: 'Lovelace' },
    });
    expect(registered.status).toBe(201);
    expect(registered.body).toEqual({ userId: expect.any(String), email: email.toLowerCase() });

    const login = await api('/v1/auth/login', { method: 'POST', body: { email, password } });
    expect(login.status).toBe(200);
    expect(login.body).toEqual({
      idToken: expect.any(String),
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      expiresIn: expect.any(Number),
    });

    const me = await api('/v1/users/me', { token: login.body.idToken });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      userId: registered.body.userId,
      email: email.toLowerCase(),
      firstName: 'Ada',
      lastName: 'Lovelace',
      groups: [],
    });
  });

  it('refuses a second account for the same email with 409', async () => {
    const shopper = await newShopper();
    const again = await api('/v1/users', {
      method: 'POST',
      body: { email: shopper.email, password: strongPassword(), firstName: 'A', lastName: 'B' },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('CONFLICT');
  });

  it.each([
    ['too short', 'Ab1!xyz'],
    ['too long', `Ab1!${'x'.repeat(27)}`],
    ['no upper-case letter', 'abcdef1!'],
    ['no lower-case letter', 'ABCDEF1!'],
    ['no digit', 'Abcdefg!'],
    ['no special character', 'Abcdefg1'],
    ['whitespace', 'Abc def1!'],
  ])('rejects a weak password (%s) with 400 naming the password', async (_why, password) => {
    const res = await api('/v1/users', {
      method: 'POST',
      body: { email: `weak-${randomUUID()}@example.com`, password, firstName: 'A', lastName: 'B' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain('password');
  });

  it('answers wrong credentials with the same 401 whether or not the email exists', async () => {
    const shopper = await newShopper();
    const wrongPassword = await api('/v1/auth/login', {
      method: 'POST',
      body: { email: shopper.email, password: 'Wrong#Pass1' },
    });
    const noSuchUser = await api('/v1/auth/login', {
      method: 'POST',
      body: { email: `nobody-${randomUUID()}@example.com`, password: 'Wrong#Pass1' },
    });
    expect(wrongPassword.status).toBe(401);
    expect(noSuchUser.status).toBe(401);
    expect(wrongPassword.body).toEqual(noSuchUser.body);
  });

  it('updates the profile and keeps what was not changed', async () => {
    const shopper = await newShopper();
    const patched = await api('/v1/users/me', {
      method: 'PATCH',
      token: shopper.token,
      body: { phoneNumber: '+447700900123', preferences: { newsletter: true, language: 'en-GB' } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      firstName: 'Sam',
      lastName: 'Shopper',
      phoneNumber: '+447700900123',
      preferences: { newsletter: true, language: 'en-GB' },
    });
    const renamed = await api('/v1/users/me', {
      method: 'PATCH',
      token: shopper.token,
      body: { firstName: 'Samantha' },
    });
    expect(renamed.body).toMatchObject({ firstName: 'Samantha', phoneNumber: '+447700900123' });
  });

  it('shows the local admin with both groups', async () => {
    const me = await api('/v1/users/me', { token: await adminSession() });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ email: platform().admin.email, groups: ['admin', 'analyst'] });
  });

  it('refuses a forged or missing token with 401 in the contract shape', async () => {
    const missing = await api('/v1/users/me');
    const forged = await api('/v1/users/me', { token: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' });
    for (const res of [missing, forged]) {
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHORIZED');
    }
  });
});
