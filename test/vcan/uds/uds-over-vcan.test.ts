// UDS client and a small server on the framework over real SocketCAN (vcan, inside user-mode Linux):
// every service of the flash sequence, 256 KiB of TransferData on classical CAN, 1 MiB on CAN FD, and 29-bit
// normal-fixed addressing.
import { execFileSync } from 'node:child_process';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  DiagnosticSession,
  IsoTpEndpoint,
  RoutineId,
  UdsClient,
  normalFixedId,
  openSocketCan,
  type CanTransport,
} from '@ota/uds';
import { MiniEcu } from '@ota/uds/testing';
import { LOADED_HOST_TIMING_MARGIN_MS } from '../../support/loaded-host.ts';

const secret = new TextEncoder().encode('vcan-ecu-secret');
const CLASSICAL_IFACE = 'vcan0';
const FD_IFACE = 'vcan1';
const opened: { close(): Promise<void> }[] = [];

/** vcan starts with the classical MTU (16); CAN FD frames need 72, which can only be set while the link is down. */
function enableCanFd(iface: string): void {
  const mtu = execFileSync('cat', [`/sys/class/net/${iface}/mtu`])
    .toString()
    .trim();
  if (mtu === '72') return;
  execFileSync('ip', ['link', 'set', iface, 'down']);
  execFileSync('ip', ['link', 'set', iface, 'mtu', '72']);
  execFileSync('ip', ['link', 'set', iface, 'up']);
}

interface Addressing {
  request: number;
  response: number;
  functional: number;
  extended29: boolean;
}

const OBD: Addressing = { request: 0x7e0, response: 0x7e8, functional: 0x7df, extended29: false };
// Normal-fixed 29-bit addressing, tester 0xF1, ECU 0x10.
const NORMAL_FIXED: Addressing = {
  request: normalFixedId('physical', 0x10, 0xf1),
  response: normalFixedId('physical', 0xf1, 0x10),
  functional: normalFixedId('functional', 0x33, 0xf1),
  extended29: true,
};

async function rig(iface: string, fd: boolean, maxNumberOfBlockLength: number, a: Addressing = OBD) {
  const testerCan: CanTransport = await openSocketCan(iface);
  const ecuCan: CanTransport = await openSocketCan(iface);
  const x = a.extended29;
  const physical = new IsoTpEndpoint(testerCan, { txId: a.request, rxId: a.response, extended29: x, fd });
  const functional = new IsoTpEndpoint(testerCan, {
    txId: a.functional,
    rxId: null,
    extended29: x,
    functional: true,
    fd,
  });
  const ecuPhysical = new IsoTpEndpoint(ecuCan, { txId: a.response, rxId: a.request, extended29: x, fd });
  const ecuFunctional = new IsoTpEndpoint(ecuCan, { txId: null, rxId: a.functional, extended29: x, functional: true });
  const ecu = new MiniEcu({
    physical: ecuPhysical,
    functional: ecuFunctional,
    secret,
    maxNumberOfBlockLength,
    eraseDelayMs: 100,
  });
  const client = new UdsClient(physical, { functional, timingMarginMs: LOADED_HOST_TIMING_MARGIN_MS });
  opened.push(client, ecu, physical, functional, ecuPhysical, ecuFunctional, testerCan, ecuCan);
  return { client, ecu };
}

const image = (size: number): Uint8Array => Uint8Array.from({ length: size }, (_, i) => (i * 131 + (i >> 8)) & 0xff);

describe('UDS over SocketCAN vcan', () => {
  beforeAll(() => enableCanFd(FD_IFACE));
  afterEach(async () => {
    for (const o of opened.splice(0).reverse()) await o.close();
  });

  it('classical CAN: every service of the flash sequence and a 256 KiB download', async () => {
    const { client, ecu } = await rig(CLASSICAL_IFACE, false, 0x802);
    expect(new TextDecoder().decode(await client.readDataByIdentifier(0xf190))).toBe('WVWZZZ1JZXW000001');
    await client.diagnosticSessionControl(DiagnosticSession.extended);
    expect(await client.startRoutine(RoutineId.checkProgrammingPreconditions)).toEqual(Uint8Array.of(0));
    await client.controlDtcSetting(0x02, { functional: true, suppressPositiveResponse: true });
    await client.communicationControl(0x03, 0x01, { functional: true, suppressPositiveResponse: true });
    await client.diagnosticSessionControl(DiagnosticSession.programming);
    await client.unlock(0x11, secret);
    await client.writeDataByIdentifier(0xf15a, Uint8Array.of(0xf1, 0x26, 0x11, 0x24));
    const data = image(256 * 1024);
    await client.startRoutine(RoutineId.eraseMemory, Uint8Array.of(0x44, 0, 0, 0, 0, 0, 4, 0, 0));
    await client.download({ address: 0, data });
    expect(Buffer.from(ecu.memory.subarray(0, data.length)).equals(Buffer.from(data))).toBe(true);
    const upload = await client.requestUpload({ dataFormatIdentifier: 0, address: 0x100, size: 64 });
    expect(upload.maxNumberOfBlockLength).toBe(0x802);
    expect(await client.transferData(0x01)).toEqual(data.subarray(0x100, 0x140));
    await client.requestTransferExit();
    expect(await client.readDtcInformation({ reportType: 0x02, statusMask: 0xff })).toMatchObject({
      records: [{ dtc: 0x123456 }],
    });
    await client.clearDiagnosticInformation();
    await client.testerPresent({ suppressPositiveResponse: false });
    await client.ecuReset(0x01);
    await client.communicationControl(0x00, 0x01, { functional: true, suppressPositiveResponse: true });
    await client.controlDtcSetting(0x01, { functional: true, suppressPositiveResponse: true });
    expect(ecu.resets).toBe(1);
    expect(ecu.dtcs).toEqual([]);
    expect(client.discardedResponses).toBe(0);
  });

  it('CAN FD: a 1 MiB download in 4 KiB blocks', async () => {
    const { client, ecu } = await rig(FD_IFACE, true, 0x1002);
    await client.diagnosticSessionControl(DiagnosticSession.programming);
    await client.unlock(0x11, secret);
    const data = image(1024 * 1024);
    await client.download({ address: 0, data });
    expect(ecu.blocksWritten).toBe(256);
    expect(Buffer.from(ecu.memory.subarray(0, data.length)).equals(Buffer.from(data))).toBe(true);
  });

  it('29-bit normal-fixed addressing: identification, functional request and a 16 KiB download', async () => {
    const { client, ecu } = await rig('vcan2', false, 0x802, NORMAL_FIXED);
    expect(new TextDecoder().decode(await client.readDataByIdentifier(0xf18c))).toBe('SN-0001');
    await client.diagnosticSessionControl(DiagnosticSession.extended);
    await client.controlDtcSetting(0x02, { functional: true, suppressPositiveResponse: true });
    await client.diagnosticSessionControl(DiagnosticSession.programming);
    await client.unlock(0x11, secret);
    const data = image(16 * 1024);
    await client.download({ address: 0x2000, data });
    expect(Buffer.from(ecu.memory.subarray(0x2000, 0x2000 + data.length)).equals(Buffer.from(data))).toBe(true);
    expect(ecu.dtcSettingOn).toBe(false);
  });
});
