/**
 * The generated clients under clients/ (lib/api-clients/): the checked-in files are what the route contracts
 * generate now — this test fails as soon as a route, a schema or a summary changes without
 * `npm run client:generate` — and the request collection has a usable request for every operation.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import { routeContracts } from '../../functions/api/routes';
import { CLIENT_FILES, renderClients } from '../../lib/api-clients/render';

const root = fileURLToPath(new URL('../..', import.meta.url));
const checkedIn = (file: string) => readFileSync(path.join(root, file), 'utf8');
const run = promisify(execFile);

describe('the generated clients', () => {
  it('are up to date with the route contracts (else: npm run client:generate)', async () => {
    const files = await renderClients();
    expect(Object.keys(files).sort()).toEqual(Object.values(CLIENT_FILES).sort());
    for (const [file, contents] of Object.entries(files)) {
      expect([file, checkedIn(file) === contents ? 'up to date' : 'stale: run npm run client:generate']).toEqual([
        file,
        'up to date',
      ]);
    }
  }, 60_000);

  it('change with the contract: a route changed or gone shows in every file', async () => {
    const [first, ...rest] = routeContracts;
    const renamed = [{ ...first, summary: `${first.summary} (changed)` }, ...rest];
    for (const routes of [rest, renamed]) {
      const files = await renderClients(routes);
      for (const file of Object.values(CLIENT_FILES))
        expect([file, files[file] === checkedIn(file)]).toEqual([file, false]);
    }
  }, 60_000);

  it('include a request for every operation in the collection, signed where the route needs a user, keyed where it needs a partner, with JSON bodies', () => {
    const collection = checkedIn(CLIENT_FILES.requests);
    const requests = collection.split(/^### /m).slice(1);
    expect(requests.map((r) => /^# @name (\w+)$/m.exec(r)?.[1]).sort()).toEqual(routeContracts.map((r) => r.id).sort());
    for (const route of routeContracts) {
      const request = requests.find((r) => r.includes(`# @name ${route.id}\n`))!;
      const line = `${route.method} {{baseUrl}}${route.path.replace(/^\/v1/, '').replace(/\{(\w+)\}/g, '{{$1}}')}`;
      expect([route.id, request.includes(`\n${line}`)]).toEqual([route.id, true]);
      const signed = route.auth.kind === 'user' || route.auth.kind === 'groups';
      expect([route.id, request.includes('\nAuthorization: Bearer {{token}}\n')]).toEqual([route.id, signed]);
      const partner = route.auth.kind === 'apiKey';
      expect([route.id, request.includes('\nx-api-key: {{apiKey}}\n')]).toEqual([route.id, partner]);
      const body = request.split('\nContent-Type: application/json\n\n')[1];
      expect([route.id, body !== undefined]).toEqual([route.id, route.request?.body !== undefined]);
      if (body !== undefined) expect(() => JSON.parse(body)).not.toThrow();
    }
    expect(collection).toMatch(/^@baseUrl = http:\/\/127\.0\.0\.1:3000\/v1$/m);
    expect(collection).toMatch(/^@token = /m);
    expect(collection).toMatch(/^@apiKey = /m);
  });

  it("document each route's credentials: partner routes take the apiKey scheme (header x-api-key) and answer 403", () => {
    const document = JSON.parse(checkedIn(CLIENT_FILES.openapi));
    expect(document.components.securitySchemes.apiKey).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'x-api-key',
    });
    for (const route of routeContracts) {
      const op = document.paths[route.path.replace(/^\/v1/, '')][route.method.toLowerCase()];
      const partner = route.auth.kind === 'apiKey';
      expect([route.id, op.security?.some((s: object) => 'apiKey' in s) ?? false]).toEqual([route.id, partner]);
      if (partner) expect([route.id, Object.keys(op.responses)]).toEqual([route.id, expect.arrayContaining(['403'])]);
      if (partner)
        expect([route.id, Object.keys(op.responses)]).toEqual([route.id, expect.not.arrayContaining(['401'])]);
    }
    expect(routeContracts.some((r) => r.auth.kind === 'apiKey')).toBe(true);
  });

  it('are checked by npm run client:generate -- --check, which says so and exits 0 when they are up to date', async () => {
    const cli = (arg: string) =>
      run(process.execPath, ['--import', 'tsx', 'bin/generate-clients.ts', arg], { cwd: root }).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
      );
    const [check, help, unknown] = await Promise.all([cli('--check'), cli('--help'), cli('--nope')]);
    expect([check.code, check.stdout.trim()]).toEqual([0, 'The generated clients are up to date.']);
    expect([help.code, help.stdout]).toEqual([0, expect.stringMatching(/^usage: npm run client:generate/)]);
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringMatching(/unknown option '--nope'[\s\S]*usage:/)]);
  }, 60_000);
});
