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

/** mqtt.js's private packet writer, the one its own acknowledgements go through. */
type SendPacket = (packet: { cmd: 'puback'; messageId: number }, callback?: () => void) => void;

function isSendPacket(value: unknown): value is SendPacket {
  return typeof value === 'function';
}

/** The client's private `_sendPacket`, bound; throws when an mqtt.js upgrade removed it. */
function packetSender(client: MqttClient): SendPacket {
  const send: unknown = Reflect.get(client, '_sendPacket');
  if (!isSendPacket(send)) throw new Error('mqtt.js MqttClient has no _sendPacket: deferred PUBACKs need it');
  return send.bind(client);
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
  const sendPacket = packetSender(client);
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
  client.handleMessage = (packet, callback) => {
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
      sendPacket({ cmd: 'puback', messageId });
      const resume = resumeReading;
      resumeReading = undefined;
      resume?.();
    };
  };
}
