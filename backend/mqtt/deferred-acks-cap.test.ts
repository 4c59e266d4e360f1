/**
 * The one bound on held messages, on a stand-in for mqtt.js's client (no broker): reading pauses as
 * soon as the holder is full, whatever the QoS of what it holds and even while a publish of this
 * client's own awaits its PUBACK (the backend's offers are always in flight; Mosquitto 2.0.11 was
 * seen sending far past the Receive Maximum), and goes on once the holder let some go.
 */
import { EventEmitter } from 'node:events';
import type { IPublishPacket, MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { deferAcks } from './deferred-acks.ts';

const BOUND = 4;

/** What deferAcks uses of mqtt.js's client: its events, handleMessage and the private packet writer. */
function standInClient(): { client: MqttClient; pubacks: number[] } {
  const pubacks: number[] = [];
  const emitter = Object.assign(new EventEmitter(), {
    handleMessage: (_packet: IPublishPacket, callback: (error?: Error) => void) => callback(),
    _sendPacket: (packet: { messageId: number }) => void pubacks.push(packet.messageId),
  });
  return { client: emitter as unknown as MqttClient, pubacks };
}

/** A result (QoS 1, deferred) for odd ids, a progress report (QoS 0) for even ones. */
const report = (id: number): IPublishPacket => ({
  cmd: 'publish',
  qos: id % 2 === 1 ? 1 : 0,
  dup: false,
  retain: false,
  topic: `vehicles/V${id}/${id % 2 === 1 ? 'result' : 'progress'}`,
  payload: Buffer.from('r'),
  ...(id % 2 === 1 ? { messageId: id } : {}),
});

describe('deferred acknowledgements: the admission bound', () => {
  it(`stops reading with ${BOUND} held, QoS 0 included, even while a publish of its own awaits its PUBACK`, () => {
    const { client, pubacks } = standInClient();
    const acks = deferAcks(client, (topic) => topic.endsWith('/result'));
    const held: (() => void)[] = [];
    const readOn = acks.pauseReadingWhile(() => held.length >= BOUND);
    // An offer in flight: the broker owes this client a PUBACK that never comes in this test.
    client.emit('packetsend', { ...report(60_001), topic: 'vehicles/V1/offer' });
    // mqtt.js hands a message over ('message'), then reads the next only once handleMessage called back.
    const readOnAfter: boolean[] = [];
    for (let id = 1; id <= 100 && readOnAfter.every(Boolean); id++) {
      const packet = report(id);
      held.push(acks.ackOf(packet));
      const k = readOnAfter.push(false) - 1;
      client.handleMessage(packet, () => (readOnAfter[k] = true));
    }
    expect(readOnAfter).toEqual([true, true, true, false]);
    // Still full: reading on is refused.
    readOn();
    expect(readOnAfter.at(-1)).toBe(false);
    // The first report (a result) is stored: its PUBACK goes out, and reading goes on.
    held.shift()!();
    readOn();
    expect(pubacks).toEqual([1]);
    expect(readOnAfter.at(-1)).toBe(true);
  });
});
