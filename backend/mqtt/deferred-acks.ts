// Acknowledging a QoS 1 message only once it is stored. mqtt.js has no manual PUBACK (its
// customHandleAcks and handleMessage hold the reading of every later packet, so one slow commit
// would serialise all traffic): its handleMessage is overridden to let reading go on without the
// PUBACK, which is sent later. The broker redelivers a message never acknowledged when this client
// reconnects (persistent session), so a crash before the commit loses nothing.
import type { IPublishPacket, MqttClient, Packet } from 'mqtt';

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

/** What the broker answers each packet this client sends that needs an answer with. */
const ANSWER_OF: Readonly<Partial<Record<Packet['cmd'], Packet['cmd']>>> = {
  pubrel: 'pubcomp',
  subscribe: 'suback',
  unsubscribe: 'unsuback',
  pingreq: 'pingresp',
};

/** The answer a sent packet waits for, if any (a QoS 1 or 2 publish waits for its PUBACK or PUBREC). */
function answerOf(packet: Packet): Packet['cmd'] | undefined {
  if (packet.cmd === 'publish') return packet.qos === 1 ? 'puback' : packet.qos === 2 ? 'pubrec' : undefined;
  return ANSWER_OF[packet.cmd];
}

const ANSWERS = new Set<Packet['cmd']>(['puback', 'pubrec', 'pubcomp', 'suback', 'unsuback', 'pingresp']);

/** Held messages, as a multiple of maxUnacked, at which reading pauses even while an answer is owed. */
export const HARD_CAP_FACTOR = 2;

/**
 * Counts the answers the broker owes `client` on this connection (kept as a count: mqtt.js's own
 * `outgoing` holds thousands of offers in flight, too many to list per message); `onOwed` runs
 * each time the client sends a packet that needs one.
 */
function countOwedAnswers(client: MqttClient, onOwed: () => void): () => number {
  let owed = 0;
  client.on('close', () => (owed = 0));
  client.on('packetsend', (packet) => {
    if (answerOf(packet) === undefined) return;
    owed++;
    onOwed();
  });
  client.on('packetreceive', (packet) => {
    if (ANSWERS.has(packet.cmd)) owed = Math.max(0, owed - 1);
  });
  return () => owed;
}

/**
 * Installs deferred acknowledgement on `client` for QoS 1 messages whose topic `deferred` selects,
 * and returns how to get a message's Ack. On MQTT 5 the broker sends no more than `maxUnacked`
 * unacknowledged (the Receive Maximum the client announces); as a safety net (3.1.1 has no such
 * limit, and Mosquitto 2.0 was seen sending one more) reading pauses with `maxUnacked` held until
 * one is acknowledged, but not while the broker owes this client an answer (a PUBACK of its own
 * publish, a SUBACK, a PINGRESP), so its publishes complete. With HARD_CAP_FACTOR times `maxUnacked`
 * held reading pauses even then: in the million-vehicle bench (Mosquitto 2.0.11, offers always in
 * flight) the backend held 479,717 unacknowledged reports at once with a Receive Maximum of 4,000.
 * Whoever acknowledges must therefore never wait for this client's own publishes to do so.
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
  const resume = () => {
    const held = resumeReading;
    resumeReading = undefined;
    held?.();
  };
  client.on('close', () => {
    generation++;
    unacked = 0;
    resume();
  });
  // Sending something the broker must answer reads on, so the answer is seen.
  const owed = countOwedAnswers(client, resume);
  const isDeferred = (packet: IPublishPacket) => packet.qos === 1 && deferred(packet.topic);
  client.handleMessage = (packet, callback) => {
    if (!isDeferred(packet)) return callback();
    unacked++;
    if (unacked < maxUnacked || (owed() > 0 && unacked < HARD_CAP_FACTOR * maxUnacked))
      return callback(PUBACK_DEFERRED);
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
      resume();
    };
  };
}
