// Acknowledging a QoS 1 message only once it is stored. mqtt.js has no manual PUBACK (its
// customHandleAcks and handleMessage hold the reading of every later packet, so one slow commit
// would serialise all traffic): its handleMessage is overridden to let reading go on without the
// PUBACK, which is sent later. The broker redelivers a message never acknowledged when this client
// reconnects (persistent session), so a crash before the commit loses nothing.
// The same override is where reading pauses while whoever holds the messages is full (pauseReadingWhile).
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

export interface DeferredAcks {
  /** The Ack of a received message (a no-op unless it is a QoS 1 message on a deferred topic). */
  ackOf(packet: IPublishPacket): Ack;
  /**
   * Pauses reading after each received message (any QoS, any topic: mqtt.js has handed it over
   * already) for as long as `full()` says so; returns the call that reads on once `full()` turned
   * false (call it whenever held messages were let go). The one bound on what this client holds:
   * while paused nothing else arrives, the broker's answers to this client's own publishes
   * included, so whoever empties `full` must never wait for those publishes to do so.
   */
  pauseReadingWhile(full: () => boolean): () => void;
}

/** Installs deferred acknowledgement on `client` for QoS 1 messages whose topic `deferred` selects. */
export function deferAcks(client: MqttClient, deferred: (topic: string) => boolean): DeferredAcks {
  const sendPacket = packetSender(client);
  // One generation per connection: a PUBACK for a message id of an earlier connection would
  // acknowledge some other message (ids are reused); the broker redelivers the old one anyway.
  let generation = 0;
  let full: () => boolean = () => false;
  let paused: (() => void) | undefined;
  const resume = () => {
    const held = paused;
    paused = undefined;
    held?.();
  };
  client.on('close', () => {
    generation++;
    resume();
  });
  // mqtt.js hands a message over ('message': ackOf) and then calls handleMessage with the same
  // packet: the topic is looked at once for both.
  let lastPacket: IPublishPacket | undefined;
  let lastDeferred = false;
  const isDeferred = (packet: IPublishPacket) => {
    if (packet !== lastPacket) {
      lastPacket = packet;
      lastDeferred = packet.qos === 1 && deferred(packet.topic);
    }
    return lastDeferred;
  };
  client.handleMessage = (packet, callback) => {
    const next = isDeferred(packet) ? () => callback(PUBACK_DEFERRED) : () => callback();
    if (full()) paused = next;
    else next();
  };
  return {
    ackOf(packet) {
      if (!isDeferred(packet) || packet.messageId === undefined) return noAck;
      const { messageId } = packet;
      const at = generation;
      let done = false;
      return () => {
        if (done || at !== generation) return;
        done = true;
        sendPacket({ cmd: 'puback', messageId });
      };
    },
    pauseReadingWhile(isFull) {
      full = isFull;
      return () => {
        if (!full()) resume();
      };
    },
  };
}
