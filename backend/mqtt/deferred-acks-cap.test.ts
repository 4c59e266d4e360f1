/**
 * The hard cap of deferred acknowledgements, on a stand-in for mqtt.js's client (no broker): a broker
 * that sends past the Receive Maximum while this client always has a publish of its own in flight
 * (the backend's offers) must not make the client hold an unbounded number of messages.
 */
import { EventEmitter } from 'node:events';
import type { IPublishPacket, MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { deferAcks, HARD_CAP_FACTOR } from './deferred-acks.ts';

const MAX_UNACKED = 4;

/** What deferAcks uses of mqtt.js's client: its events, handleMessage and the private packet writer. */
function standInClient(): { client: MqttClient; pubacks: number[] } {
  const pubacks: number[] = [];
  const emitter = Object.assign(new EventEmitter(), {
    handleMessage: (_packet: IPublishPacket, callback: (error?: Error) => void) => callback(),
    _sendPacket: (packet: { messageId: number }) => void pubacks.push(packet.messageId),
  });
  return { client: emitter as unknown as MqttClient, pubacks };
}

const report = (messageId: number): IPublishPacket => ({
  cmd: 'publish',
  qos: 1,
  dup: false,
  retain: false,
  topic: `vehicles/V${messageId}/result`,
  payload: Buffer.from('r'),
  messageId,
});

describe('deferred acknowledgements: hard cap', () => {
  it(`stops reading at ${HARD_CAP_FACTOR}x maxUnacked held even while a publish of its own awaits its PUBACK`, () => {
    const { client, pubacks } = standInClient();
    const ackOf = deferAcks(client, () => true, MAX_UNACKED);
    // An offer in flight: the broker owes this client a PUBACK that never comes in this test.
    client.emit('packetsend', { ...report(60_000), topic: 'vehicles/V1/offer' });
    // mqtt.js hands over the next message only once handleMessage called back for the previous one.
    const acks: (() => void)[] = [];
    const readOn: boolean[] = [];
    for (let id = 1; id <= 100 && readOn.every(Boolean); id++) {
      const packet = report(id);
      const k = readOn.push(false) - 1;
      client.handleMessage(packet, () => (readOn[k] = true));
      acks.push(ackOf(packet));
    }
    expect(readOn).toHaveLength(HARD_CAP_FACTOR * MAX_UNACKED);
    expect(readOn.at(-1)).toBe(false);
    // One is acknowledged (stored): its PUBACK goes out and reading goes on.
    acks[0]!();
    expect(pubacks).toEqual([1]);
    expect(readOn.at(-1)).toBe(true);
  });
});
