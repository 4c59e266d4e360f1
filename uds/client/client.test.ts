import { describe, expect, it } from 'vitest';
import { MemoryCanBus } from '../can/memory-bus.ts';
import { IsoTpEndpoint } from '../isotp/endpoint.ts';
import { recording, type RecordedFrame, waitFor } from '../isotp/test-helpers.ts';
import { NegativeResponseError } from '../nrc.ts';
import { RoutineId } from '../profile/index.ts';
import { DiagnosticSession, SID } from '../services/index.ts';
import { MiniEcu } from '../testing/mini-ecu.ts';
import { UdsClient } from './client.ts';
import { UdsTimeoutError } from './errors.ts';
import type { UdsClientOptions } from './requester.ts';

const secret = new TextEncoder().encode('ecu-secret-0');
const text = (b: Uint8Array): string => new TextDecoder().decode(b);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();

function setup(
  ecuOptions: Partial<ConstructorParameters<typeof MiniEcu>[0]> = {},
  clientOptions: Omit<UdsClientOptions, 'functional'> = {},
) {
  const bus = new MemoryCanBus();
  const frames: RecordedFrame[] = [];
  const testerCan = recording(bus.attach('tester'), frames);
  const ecuCan = recording(bus.attach('ecu'), frames);
  const physical = new IsoTpEndpoint(testerCan, { txId: 0x7e0, rxId: 0x7e8 });
  const functional = new IsoTpEndpoint(testerCan, { txId: 0x7df, rxId: null, functional: true });
  const ecu = new MiniEcu({
    physical: new IsoTpEndpoint(ecuCan, { txId: 0x7e8, rxId: 0x7e0 }),
    functional: new IsoTpEndpoint(ecuCan, { txId: null, rxId: 0x7df, functional: true }),
    secret,
    ...ecuOptions,
  });
  const client = new UdsClient(physical, { functional, ...clientOptions });
  return {
    bus,
    frames,
    ecu,
    client,
    close: async () => {
      await client.close();
      await ecu.close();
    },
  };
}

async function nrcOf(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof NegativeResponseError)) throw new Error(`expected a negative response, got ${String(err)}`);
  return `0x${err.nrc.toString(16)} ${err.nrcName}`;
}

describe('UdsClient against a server on the framework (in-memory bus)', () => {
  it('runs the whole programming sequence, every service', async () => {
    const { client, ecu, frames, close } = setup({ eraseDelayMs: 150 });
    expect(text(await client.readDataByIdentifier(0xf190))).toBe('WVWZZZ1JZXW000001');
    const multi = await client.readDataByIdentifiers([
      { did: 0xf189, length: 5 },
      { did: 0x0100, length: 2 },
    ]);
    expect(multi.map((r) => hex(r.data))).toEqual([hex(new TextEncoder().encode('2.4.1')), '3138']);
    expect(await client.diagnosticSessionControl(DiagnosticSession.extended)).toEqual({
      session: 3,
      p2ServerMs: 50,
      p2StarServerMs: 5000,
    });
    expect(hex((await client.startRoutine(RoutineId.checkProgrammingPreconditions)) as Uint8Array)).toBe('00');
    expect(await client.controlDtcSetting(0x02, { functional: true, suppressPositiveResponse: true })).toBeNull();
    expect(
      await client.communicationControl(0x03, 0x01, { functional: true, suppressPositiveResponse: true }),
    ).toBeNull();
    await waitFor(() => !ecu.dtcSettingOn && ecu.communication.controlType === 3, 'functional requests handled');
    expect(frames.filter((f) => f.id === 0x7df).map((f) => hex(f.data))).toEqual([
      '028582CCCCCCCCCC',
      '03288301CCCCCCCC',
    ]);
    await client.diagnosticSessionControl(DiagnosticSession.programming);
    expect(client.testerPresentActive).toBe(true);
    await client.unlock(0x11, secret);
    expect(ecu.server.securityLevel).toBe(0x11);
    await client.writeDataByIdentifier(0xf15a, Uint8Array.of(1, 2, 3));
    expect(hex(await client.readDataByIdentifier(0xf15b))).toBe('010203');
    const eraseRecord = Uint8Array.of(0x44, 0, 1, 0, 0, 0, 0, 0x80, 0);
    expect(hex((await client.startRoutine(RoutineId.eraseMemory, eraseRecord)) as Uint8Array)).toBe('00');
    expect(frames.some((f) => f.from === 'ecu' && hex(f.data).startsWith('037F3178'))).toBe(true);
    const image = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 7) & 0xff);
    let progress = 0;
    await client.download({ address: 0x10000, data: image, onProgress: (n) => (progress = n) });
    expect(progress).toBe(10_000);
    expect(hex(ecu.memory.subarray(0x10000, 0x10000 + image.length))).toBe(hex(image));
    const upload = await client.requestUpload({ dataFormatIdentifier: 0, address: 0x10000, size: 3000 });
    expect(upload.maxNumberOfBlockLength).toBe(0x802);
    const first = await client.transferData(0x01);
    const second = await client.transferData(0x02);
    expect(hex(new Uint8Array([...first, ...second]))).toBe(hex(image.subarray(0, 3000)));
    await client.requestTransferExit();
    expect(await client.readDtcInformation({ reportType: 0x02, statusMask: 0xff })).toEqual({
      reportType: 2,
      availabilityMask: 0xff,
      records: [{ dtc: 0x123456, status: 0x09 }],
    });
    await client.clearDiagnosticInformation();
    expect(await client.readDtcInformation({ reportType: 0x01, statusMask: 0xff })).toMatchObject({ count: 0 });
    expect(await client.readDtcInformation({ reportType: 0x0a })).toMatchObject({ records: [] });
    await client.testerPresent({ suppressPositiveResponse: false });
    expect(await client.ecuReset(0x01)).toEqual({ resetType: 1, powerDownTimeS: null });
    expect(client.testerPresentActive).toBe(false);
    expect(ecu.server.session).toBe(DiagnosticSession.default);
    await client.diagnosticSessionControl(DiagnosticSession.extended);
    await client.communicationControl(0x00, 0x01);
    await client.controlDtcSetting(0x01);
    expect(ecu.dtcSettingOn).toBe(true);
    expect(await client.stopRoutine(0xff00).catch((e: unknown) => (e as NegativeResponseError).nrc)).toBe(0x12);
    expect(client.discardedResponses).toBe(0);
    await close();
  });

  it('surfaces negative responses with ISO names', async () => {
    const { client, close } = setup();
    expect(await nrcOf(client.readDataByIdentifier(0x1234))).toBe('0x31 requestOutOfRange');
    expect(await nrcOf(client.requestDownload({ dataFormatIdentifier: 0, address: 0, size: 16 }))).toBe(
      '0x7f serviceNotSupportedInActiveSession',
    );
    expect(await nrcOf(client.request(Uint8Array.of(0x23, 0x00)))).toBe('0x11 serviceNotSupported');
    await client.diagnosticSessionControl(DiagnosticSession.programming);
    expect(await nrcOf(client.requestDownload({ dataFormatIdentifier: 0, address: 0, size: 16 }))).toBe(
      '0x33 securityAccessDenied',
    );
    expect(await nrcOf(client.sendKey(0x11, new Uint8Array(16)))).toBe('0x24 requestSequenceError');
    await client.requestSeed(0x11);
    expect(await nrcOf(client.sendKey(0x11, new Uint8Array(16)))).toBe('0x35 invalidKey');
    await client.unlock(0x11, secret);
    await client.requestDownload({ dataFormatIdentifier: 0, address: 0, size: 4096 });
    expect(await nrcOf(client.transferData(0x02, new Uint8Array(8)))).toBe('0x73 wrongBlockSequenceCounter');
    await client.transferData(0x01, new Uint8Array(8));
    await client.transferData(0x01, new Uint8Array(8)); // a repeat (lost response) is acknowledged
    expect(await nrcOf(client.request(Uint8Array.of(SID.DiagnosticSessionControl, 0x05)))).toBe(
      '0x12 subFunctionNotSupported',
    );
    await close();
  });

  it('times out, discards late and foreign answers, and matches the next response to its own request', async () => {
    const { bus, client, ecu, close } = setup(
      {},
      { timingMarginMs: 20, initialTiming: { p2ServerMs: 10, p2StarServerMs: 100 } },
    );
    const impostor = new IsoTpEndpoint(bus.attach('late'), { txId: 0x7e8, rxId: null });
    ecu.server.register({ sid: SID.WriteDataByIdentifier, handler: () => null }); // never answers
    ecu.server.register({
      sid: SID.ReadDataByIdentifier,
      handler: async () => {
        // The answers to the timed-out WDBI arrive late, while the RDBI is pending.
        await impostor.send(Uint8Array.of(0x6e, 0xf1, 0x5a));
        await impostor.send(Uint8Array.of(0x7f, 0x2e, 0x22));
        return Uint8Array.of(0x62, 0xf1, 0x90, 0x41);
      },
    });
    const err = await client.writeDataByIdentifier(0xf15a, Uint8Array.of(1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UdsTimeoutError);
    expect(text(await client.readDataByIdentifier(0xf190))).toBe('A');
    expect(client.discardedResponses).toBe(2);
    await close();
  });

  it('download() repeats a block whose response was lost with the same counter; the server writes it once', async () => {
    const { client, ecu, close } = setup({}, { timingMarginMs: 30 });
    const original = ecu.server.service(SID.TransferData);
    if (!original) throw new Error('TransferData not registered');
    let dropped = 0;
    ecu.server.register({
      ...original,
      handler: async (request, ctx) => {
        const response = await original.handler(request, ctx);
        // The response to block 2 is lost once (the block itself was written).
        return request[1] === 0x02 && dropped++ === 0 ? null : response;
      },
    });
    await client.diagnosticSessionControl(DiagnosticSession.programming);
    await client.unlock(0x11, secret);
    const image = Uint8Array.from({ length: 6000 }, (_, i) => i & 0xff);
    await client.download({ address: 0, data: image });
    expect(dropped).toBe(2);
    expect(ecu.blocksWritten).toBe(3);
    expect(hex(ecu.memory.subarray(0, image.length))).toBe(hex(image));
    await close();
  });

  it('sends TesterPresent while in a non-default session so S3 does not expire, and stops on request', async () => {
    const { client, ecu, frames, close } = setup({ s3ServerMs: 300 }, { testerPresentIntervalMs: 30 });
    await client.diagnosticSessionControl(DiagnosticSession.extended);
    await new Promise((r) => setTimeout(r, 700));
    expect(ecu.server.session).toBe(DiagnosticSession.extended);
    expect(frames.filter((f) => f.from === 'tester' && hex(f.data) === '023E80CCCCCCCCCC').length).toBeGreaterThan(5);
    client.stopTesterPresent();
    await waitFor(() => ecu.server.session === DiagnosticSession.default, 'S3 fallback');
    await close();
  });

  it('takes P2/P2* from the session response and waits through 0x78 for P2*', async () => {
    const { client, ecu, close } = setup({ p2ServerMs: 100, eraseDelayMs: 1000 }, { timingMarginMs: 100 });
    await client.diagnosticSessionControl(DiagnosticSession.programming);
    expect(client.serverTiming).toEqual({ p2ServerMs: 100, p2StarServerMs: 5000 });
    await client.unlock(0x11, secret);
    // 1 s erase >> P2client (200 ms): only the 0x78 answers keep the request alive.
    expect(await client.startRoutine(RoutineId.eraseMemory, Uint8Array.of(0x44, 0, 0, 0, 0, 0, 0, 0x10, 0))).toEqual(
      Uint8Array.of(0),
    );
    expect(ecu.memory[0]).toBe(0xff);
    await close();
  });
});
