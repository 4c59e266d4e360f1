// The test HTTP-JSON client against a small server: the errors name the call, its status and the body.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, backendApi } from './backend-api.ts';

let baseUrl = '';
const server = createServer((req, res) => {
  const auth = req.headers.authorization ?? '';
  if (req.url === '/refused') {
    res.writeHead(403, { 'content-type': 'application/problem+json' });
    res.end(JSON.stringify({ title: 'Forbidden', detail: 'needs the approver role' }));
  } else if (req.url === '/not-json') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('plain words');
  } else {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ method: req.method, auth, body: body === '' ? null : (JSON.parse(body) as unknown) }));
    });
  }
});

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('backendApi', () => {
  it("sends the user's token and JSON body and returns the JSON answer", async () => {
    const maria = backendApi(baseUrl).as('tok-maria');
    expect(await maria('POST', '/echo', { a: 1 }, 201)).toEqual({
      method: 'POST',
      auth: 'Bearer tok-maria',
      body: { a: 1 },
    });
    expect(await maria('GET', '/echo')).toEqual({ method: 'GET', auth: 'Bearer tok-maria', body: null });
  });

  it('fails naming method, path, expected and actual status and the body', async () => {
    const api = backendApi(baseUrl);
    const refused = api.call('POST', '/refused', 'tok', { reason: 'x' });
    await expect(refused).rejects.toThrow(ApiError);
    await expect(refused).rejects.toThrow(
      'POST /refused: expected 200, got 403: {"title":"Forbidden","detail":"needs the approver role"}',
    );
    await expect(api.call('POST', '/echo', 'tok', {})).rejects.toThrow(/^POST \/echo: expected 200, got 201: /);
  });

  it('fails naming the call when the body is not JSON', async () => {
    await expect(backendApi(baseUrl).call('GET', '/not-json', 'tok')).rejects.toThrow(
      'GET /not-json: 200, body is not JSON: plain words',
    );
  });
});
