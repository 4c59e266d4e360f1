// The test's own view of the ECUs, independent of the gateway: F189 (software version) and F1A0 (SHA-256 of the
// running image) read with the project's UDS client over SocketCAN, and ecu-sim's control channel.
import { connect } from 'node:net';
import { openTester } from '../../../../ecu-sim/testing/tester.ts';
import type { VehicleDefinition } from '../../../../ecu-sim/vehicle/schema.ts';
import { openSocketCan } from '@ota/uds';
import { LOADED_HOST_TIMING_MARGIN_MS } from '../../../support/loaded-host.ts';

export interface EcuAnswer {
  readonly ecu: string;
  readonly version: string;
  readonly sha256: string;
}

/** Reads F189 and F1A0 of every ECU of a vehicle on `iface`, one ECU after another. */
export async function readEcuAnswers(definition: VehicleDefinition, iface: string): Promise<EcuAnswer[]> {
  const can = await openSocketCan(iface);
  try {
    const answers: EcuAnswer[] = [];
    for (const ecu of definition.ecus) {
      const tester = openTester(can, ecu, LOADED_HOST_TIMING_MARGIN_MS);
      try {
        const version = Buffer.from(await tester.client.readDataByIdentifier(0xf189)).toString('latin1');
        const sha256 = Buffer.from(await tester.client.readDataByIdentifier(0xf1a0)).toString('hex');
        answers.push({ ecu: ecu.name, version, sha256 });
      } finally {
        await tester.close();
      }
    }
    return answers;
  } finally {
    await can.close();
  }
}

/** Sends one command to an ecu-sim control socket and returns its reply; fails on `{"ok":false}`. */
export async function controlCommand(socketPath: string, command: object): Promise<Record<string, unknown>> {
  const line = await new Promise<string>((resolve, reject) => {
    const socket = connect(socketPath);
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      const newline = buffer.indexOf('\n');
      if (newline >= 0) {
        resolve(buffer.slice(0, newline));
        socket.end();
      }
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`${socketPath} closed without a reply`)));
    socket.write(`${JSON.stringify(command)}\n`);
  });
  const reply = JSON.parse(line) as Record<string, unknown>;
  if (reply.ok !== true) throw new Error(`ecu-sim refused ${JSON.stringify(command)}: ${line}`);
  return reply;
}
