// Acknowledging a QoS 1 message only once it is stored. mqtt.js has no manual PUBACK (its
// customHandleAcks and handleMessage hold the reading of every later packet, so one slow commit
// would serialise all traffic): its handleMessage is overridden to let reading go on without the
// PUBACK, which is sent later. The broker redelivers a message never acknowledged when this client
// reconnects (persistent session), so a crash before the commit loses nothing.
import type { IPublishPacket, MqttClient } from 'mqtt';

/** Acknowledges one message to the broker; calling it again, or after its connection was lost, does nothing. */
export type Ack = () => void;

const noAck: Ack = () => undefined;

/** What mqtt.js's handlers do with the error of handleMessage's callback: move to the next packet, no PUBACK. */
const PUBACK_DEFERRED = new Error('PUBACK deferred until the message is stored');

interface MqttInternals {
  handleMessage(packet: IPublishPacket, callback: (error?: Error) => void): void;
  _sendPacket(packet: { cmd: 'puback'; messageId: number }, callback?: () => void): void;
}

/**
 * Installs deferred acknowledgement on `client` for QoS 1 messages whose topic `deferred` selects,
 * and returns how to get a message's Ack. With `maxUnacked` messages held, reading from the broker
 * pauses until one is acknowledged (backpressure, bounded memory).
 */
export function deferAcks(
  client: MqttClient,
  deferred: (topic: string) => boolean,
  maxUnacked: number,
): (packet: IPublishPacket) => Ack {
  const internals = client as unknown as MqttInternals;
  // One generation per connection: a PUBACK for a message id of an earlier connection would
  // acknowledge some other message (ids are reused); the broker redelivers the old one anyway.
  let generation = 0;
  let unacked = 0;
  let resumeReading: (() => void) | undefined;
  client.on('close', () => {
    generation++;
    unacked = 0;
    resumeReading?.();
    resumeReading = undefined;
  });
  const isDeferred = (packet: IPublishPacket) => packet.qos === 1 && deferred(packet.topic);
  internals.handleMessage = (packet, callback) => {
    if (!isDeferred(packet)) return callback();
    unacked++;
    if (unacked < maxUnacked) return callback(PUBACK_DEFERRED);
    resumeReading = () => callback(PUBACK_DEFERRED);
  };
  return (packet) => {
    if (!isDeferred(packet) || packet.messageId === undefined) return noAck;
    const { messageId } = packet;
    const at = generation;
    let done = false;
    return () => {
      if (done || at !== generation) return;
      done = true;
      unacked--;
      internals._sendPacket({ cmd: 'puback', messageId });
      const resume = resumeReading;
      resumeReading = undefined;
      resume?.();
    };
  };
}
