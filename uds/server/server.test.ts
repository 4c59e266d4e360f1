import { describe, expect, it } from 'vitest';
import { MemoryCanBus } from '../can/memory-bus.ts';
import { IsoTpEndpoint } from '../isotp/endpoint.ts';
import { NRC, NegativeResponse } from '../nrc.ts';
import { computeSecurityKey } from '../security-key.ts';
import { createSecurityAccessService } from './security-access-service.ts';
import { UdsServer } from './server.ts';
import type { RequestContext } from './types.ts';

const hex = (b: Uint8Array | null): string | null => (b === null ? null : Buffer.from(b).toString('hex').toUpperCase());
const req = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));

function makeServer(options: Partial<ConstructorParameters<typeof UdsServer>[0]> = {}) {
  const bus = new MemoryCanBus();
  const sent: string[] = [];
  const tester = new IsoTpEndpoint(bus.attach('tester'), { txId: 0x7e0, rxId: 0x7e8 });
  tester.onMessage((m) => sent.push(hex(m) as string));
  const physical = new IsoTpEndpoint(bus.attach('ecu'), { txId: 0x7e8, rxId: 0x7e0 });
  const server = new UdsServer({ physical, ...options });
  const contexts: RequestContext[] = [];
  const requests: string[] = [];
  server.register({
    sid: 0x31,
    sessions: [0x01, 0x03],
    subFunctions: { 0x01: {}, 0x02: { sessions: [0x03] }, 0x03: { securityLevels: [0x11] } },
    minLength: 4,
    handler: (r, ctx) => {
      contexts.push({ ...ctx });
      requests.push(hex(r) as string);
      if (r[2] === 0xee) throw new NegativeResponse(NRC.requestOutOfRange);
      if (r[2] === 0xcc) throw new NegativeResponse(NRC.conditionsNotCorrect);
      if (r[2] === 0xbb) throw new Error('handler bug');
      return Uint8Array.of(0x71, r[1] as number, r[2] as number, r[3] as number);
    },
  });
  server.register({
    sid: 0x34,
    sessions: [0x02],
    securityLevels: [0x11],
    minLength: 5,
    handler: () => Uint8Array.of(0x74, 0x20, 0x08, 0x02),
  });
  return { server, sent, contexts, requests, tester, physical };
}

describe('UdsServer request checks, in ISO 14229-1 order', () => {
  it('0x11 for an unknown SID, suppressed on functional requests', async () => {
    const { server } = makeServer();
    expect(hex(await server.handle(req('23'), false))).toBe('7F2311');
    expect(await server.handle(req('23'), true)).toBeNull();
  });

  it('0x7F before security and length; 0x33 before length', async () => {
    const { server } = makeServer();
    expect(hex(await server.handle(req('34'), false))).toBe('7F347F');
    expect(await server.handle(req('34'), true)).toBeNull();
    server.setSession(0x02);
    expect(hex(await server.handle(req('34'), false))).toBe('7F3433');
    server.setSecurityLevel(0x11);
    expect(hex(await server.handle(req('34'), false))).toBe('7F3413');
    expect(hex(await server.handle(req('3400440000000000000010'), false))).toBe('74200802');
  });

  it('sub-function checks: length 0x13, then 0x12, 0x7E, 0x33, then the minimum length', async () => {
    const { server } = makeServer();
    expect(hex(await server.handle(req('31'), false))).toBe('7F3113');
    expect(hex(await server.handle(req('3109'), false))).toBe('7F3112');
    expect(await server.handle(req('3109'), true)).toBeNull();
    expect(hex(await server.handle(req('3102FF00'), false))).toBe('7F317E');
    expect(await server.handle(req('3102FF00'), true)).toBeNull();
    expect(hex(await server.handle(req('3103FF00'), false))).toBe('7F3133');
    expect(hex(await server.handle(req('3101FF'), false))).toBe('7F3113');
    expect(hex(await server.handle(req('3101FF00'), false))).toBe('7101FF00');
  });

  it('suppresses handler NRC 0x31 on functional requests but not 0x22', async () => {
    const { server } = makeServer();
    expect(hex(await server.handle(req('3101EE00'), false))).toBe('7F3131');
    expect(await server.handle(req('3101EE00'), true)).toBeNull();
    expect(hex(await server.handle(req('3101CC00'), true))).toBe('7F3122');
  });

  it('suppressPosRspMsgIndicationBit: no positive response, negative responses still sent, handler sees the bit cleared', async () => {
    const { server, contexts, requests } = makeServer();
    expect(await server.handle(req('3181FF00'), false)).toBeNull();
    expect(requests).toEqual(['3101FF00']);
    expect(contexts[0]).toMatchObject({ suppressPositiveResponse: true, subFunction: 0x01, functional: false });
    expect(hex(await server.handle(req('3181CC00'), false))).toBe('7F3122');
  });

  it('a failing handler answers generalReject and is reported', async () => {
    const { server } = makeServer();
    const errors: Error[] = [];
    server.onError((e) => errors.push(e));
    expect(hex(await server.handle(req('3101BB00'), false))).toBe('7F3110');
    expect(errors.map((e) => e.message)).toEqual(['handler bug']);
  });

  it('answers 0x78 while a handler runs past P2, then the final response even when suppressed', async () => {
    const { server, sent } = makeServer({ p2ServerMs: 20, responsePendingIntervalMs: 15 });
    server.register({
      sid: 0x31,
      subFunctions: { 0x01: {} },
      handler: async () => {
        await new Promise((r) => setTimeout(r, 60));
        return Uint8Array.of(0x71, 0x01, 0xff, 0x00, 0x00);
      },
    });
    expect(hex(await server.handle(req('3181FF00'), false))).toBe('7101FF0000');
    await new Promise((r) => setTimeout(r, 10));
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect(sent.slice(0, -1).every((m) => m === '7F3178')).toBe(true);
    expect(sent.at(-1)).toBe('7101FF0000');
  });

  it('built-in session control reports P2/P2*, locks security on session change, falls back after S3', async () => {
    const { server } = makeServer({ p2ServerMs: 25, p2StarServerMs: 2000, s3ServerMs: 40 });
    const changes: string[] = [];
    server.onSessionChange((s, cause) => changes.push(`${s}:${cause}`));
    expect(hex(await server.handle(req('1003'), false))).toBe('5003001900C8');
    expect(hex(await server.handle(req('1004'), false))).toBe('7F1012');
    server.setSecurityLevel(0x11);
    await server.handle(req('1002'), false);
    expect(server.securityLevel).toBe(0);
    await new Promise((r) => setTimeout(r, 120));
    expect(server.session).toBe(0x01);
    expect(changes).toEqual(['3:request', '2:request', '1:s3Timeout']);
    expect(hex(await server.handle(req('3E00'), false))).toBe('7E00');
    expect(await server.handle(req('3E80'), true)).toBeNull();
  });

  it('receives requests over ISO-TP and answers on the physical address', async () => {
    const { tester, sent } = makeServer();
    await tester.send(req('3101FF00'));
    await tester.send(req('1003'));
    await new Promise((r) => setTimeout(r, 20));
    expect(sent).toEqual(['7101FF00', '5003003201F4']);
  });
});

describe('createSecurityAccessService', () => {
  const secret = req('000102030405060708090A0B0C0D0E0F');
  function securedServer() {
    let now = 1_000;
    const made = makeServer();
    made.server.register(
      createSecurityAccessService({
        levels: [{ level: 0x11, secret, sessions: [0x02] }],
        randomSeed: (n) => new Uint8Array(n).fill(0xa5),
        now: () => now,
      }),
    );
    made.server.setSession(0x02);
    return { ...made, advance: (ms: number) => (now += ms) };
  }

  it('unlocks with the HMAC key and then answers an all-zero seed', async () => {
    const { server } = securedServer();
    const seedResponse = (await server.handle(req('2711'), false)) as Uint8Array;
    expect(hex(seedResponse)).toBe('6711' + 'A5'.repeat(16));
    const key = computeSecurityKey(secret, seedResponse.subarray(2));
    expect(hex(await server.handle(Uint8Array.from([0x27, 0x12, ...key]), false))).toBe('6712');
    expect(server.securityLevel).toBe(0x11);
    expect(hex(await server.handle(req('2711'), false))).toBe('6711' + '00'.repeat(16));
  });

  it('0x35, 0x35, then 0x36 and a lockout answered 0x37 until it expires; 0x24 without a seed; 0x7E outside its session', async () => {
    const { server, advance } = securedServer();
    const wrong = Uint8Array.from([0x27, 0x12, ...new Uint8Array(16)]);
    expect(hex(await server.handle(wrong, false))).toBe('7F2724');
    for (const expected of ['7F2735', '7F2735', '7F2736']) {
      await server.handle(req('2711'), false);
      expect(hex(await server.handle(wrong, false))).toBe(expected);
    }
    expect(hex(await server.handle(req('2711'), false))).toBe('7F2737');
    advance(10_001);
    expect(hex((await server.handle(req('2711'), false)) as Uint8Array)?.slice(0, 4)).toBe('6711');
    expect(hex(await server.handle(req('2713'), false))).toBe('7F2712');
    server.setSession(0x03);
    expect(hex(await server.handle(req('2711'), false))).toBe('7F277E');
  });
});
