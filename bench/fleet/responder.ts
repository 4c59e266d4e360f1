// The fleet bench's vehicles: MQTT clients that receive every vehicle's offer and answer each with
// a succeeded result, at once or after installing for `installMs`, resending a result until the backend
// confirms it (`stored`), as the gateway does, so a broker that drops queued messages cannot stall the
// run. A vehicle that installs first reports progress (`downloading`, QoS 0) as the gateway does when it
// starts: the acknowledgement that keeps the backend from offering again while it installs. Per vehicle
// only ResendTracker's bits and InstallQueue's slots.
import mqtt from 'mqtt';
import { encodeMessage, TOPIC_PREFIX, vehicleTopic } from '@ota/protocol/messages';
import { UNTIL_STORED_DEFAULTS } from '@ota/protocol/mqtt';
import { formatExpires } from '@ota/protocol/tuf';
import { InstallQueue } from './install-queue.ts';
import { ResendTracker } from './resend-tracker.ts';

export interface ResponderOptions {
  url: string;
  clientId: string;
  campaignId: number;
  vehicles: number;
  /** The VIN of vehicle `i` (0-based) and back; -1 for a VIN not of this fleet. */
  vinOf(i: number): string;
  indexOf(vin: string): number;
  resendMs: number;
  /** The resend timeout once the broker acknowledged the result (the gateway's: 60 s). */
  resendAckedMs: number;
  /** How long a vehicle installs before it answers its offer; 0 answers at once. */
  installMs: number;
  /**
   * MQTT connections the vehicles share (vehicle i publishes on connection i mod K; with more than
   * one, offers and confirmations come to any of them through a shared subscription). On the 2-core
   * bench machine 8 were slower than 1: the simulated vehicles and Mosquitto spent more CPU.
   */
  connections: number;
  /**
   * Whether a vehicle that installs reports `downloading` at its offer, as the gateway does. Off only
   * to measure what those reports cost the run (then nothing tells the backend an offer arrived).
   */
  progress: boolean;
}

const QOS_1 = { qos: 1 } as const;
const QOS_0 = { qos: 0 } as const;

/** Results sent per turn of the event loop while installs finish, so offers keep being read. */
const SENDS_PER_TURN = 2_000;

/** performance.now() of the moments the bench's phases end at. */
export interface ResponderTimes {
  firstOffer?: number;
  lastOffer?: number;
  firstResult?: number;
}

export interface Responder {
  readonly tracker: ResendTracker;
  readonly times: ResponderTimes;
  /** Results the backend refused for good (`stored` with status rejected): each a failed vehicle. */
  readonly rejected: number;
  /** Offers answered with a new result after an earlier one was confirmed (the backend offered again). */
  readonly reoffered: number;
  stop(): Promise<void>;
}

/** Result `answer` of vehicle `i`: one JSON template validated once, its resultId filled per vehicle and answer. */
function resultPayloads(campaignId: number): (i: number, answer: number) => Buffer {
  const template = Buffer.from(
    encodeMessage('result', {
      campaignId: String(campaignId),
      resultId: 'bench-0-result',
      outcome: 'succeeded',
      ecus: [
        {
          ecuSerial: 'ECU-1',
          fromVersion: '1.0.0',
          toVersion: '2.0.0',
          result: 'succeeded',
          bytesOnBus: 4000,
          durationMs: 1000,
        },
      ],
      finishedAt: formatExpires(new Date()),
    }),
  ).toString();
  return (i, answer) => Buffer.from(template.replace('bench-0-result', `bench-${i}-result-${answer}`));
}

/** The progress report a gateway sends as it starts downloading an offer: the same bytes for every vehicle. */
function downloadingPayload(campaignId: number): Buffer {
  return Buffer.from(
    encodeMessage('progress', {
      campaignId: String(campaignId),
      phase: 'downloading',
      bytesDone: 0,
      bytesTotal: 4000,
      at: formatExpires(new Date()),
    }),
  );
}

/** The vehicles' `connections` MQTT clients. */
function connectVehicles(o: ResponderOptions): Promise<mqtt.MqttClient[]> {
  // log: mqtt.js's `debug` calls cost CPU per packet even when disabled.
  return Promise.all(
    Array.from({ length: o.connections }, (_, k) =>
      mqtt.connectAsync(o.url, {
        clientId: `${o.clientId}-${k}`,
        clean: true,
        protocolVersion: 5,
        log: () => undefined,
      }),
    ),
  );
}

export async function startResponder(o: ResponderOptions): Promise<Responder> {
  // Jittered as the gateway's resends are.
  const tracker = new ResendTracker(o.vehicles, o.resendMs, {
    ackedMs: o.resendAckedMs,
    jitter: UNTIL_STORED_DEFAULTS.jitter,
  });
  const times: ResponderTimes = {};
  const payloadOf = resultPayloads(o.campaignId);
  const downloading = downloadingPayload(o.campaignId);
  let rejected = 0;
  let reoffered = 0;
  const clients = await connectVehicles(o);
  const clientOf = (i: number) => clients[i % clients.length]!;
  const send = (i: number) => {
    clientOf(i).publish(vehicleTopic(o.vinOf(i), 'result'), payloadOf(i, tracker.answer(i)), QOS_1, (error) => {
      if (!error) tracker.resultAcked(i, performance.now());
    });
    const now = performance.now();
    times.firstResult ??= now;
    tracker.resultSent(i, now);
  };
  // Only vehicles that take time to install need the queue.
  const installs = o.installMs > 0 ? new InstallQueue(o.vehicles, o.installMs) : undefined;
  let installTimer: NodeJS.Timeout | undefined;
  const finishInstalls = (installs: InstallQueue) => {
    installTimer = undefined;
    installs.take(performance.now(), SENDS_PER_TURN).forEach(send);
    const next = installs.nextDoneAt;
    if (next !== undefined) installTimer = setTimeout(finishInstalls, Math.max(0, next - performance.now()), installs);
  };
  const onMessage = (topic: string, payload: Buffer) => {
    const slash = topic.lastIndexOf('/');
    const i = o.indexOf(topic.slice(TOPIC_PREFIX.length + 1, slash));
    if (i < 0) return;
    const now = performance.now();
    if (topic.endsWith('/offer')) {
      if (installs?.has(i)) return; // the offer repeated while the vehicle installs it
      const answer = tracker.offered(i);
      times.firstOffer ??= now;
      if (tracker.offers === o.vehicles) times.lastOffer ??= now;
      if (!answer) return;
      if (tracker.answer(i) !== 1) reoffered++;
      if (!installs) return send(i);
      if (o.progress) clientOf(i).publish(vehicleTopic(o.vinOf(i), 'progress'), downloading, QOS_0);
      installs.add(i, now);
      installTimer ??= setTimeout(finishInstalls, o.installMs, installs);
    } else if (payload.includes(`-result-${tracker.answer(i)}"`)) {
      // The confirmation of the vehicle's current result (one of an earlier result changes nothing).
      if (tracker.stored(i) && payload.includes('"rejected"')) rejected++;
    }
  };
  const share = clients.length > 1 ? `$share/${o.clientId}/` : '';
  for (const client of clients) {
    client.on('message', onMessage);
    await client.subscribeAsync([`${share}${TOPIC_PREFIX}/+/offer`, `${share}${TOPIC_PREFIX}/+/stored`], { qos: 1 });
  }
  const sweep = setInterval(() => tracker.due(performance.now()).forEach(send), Math.max(50, o.resendMs / 4));
  return {
    tracker,
    times,
    get rejected() {
      return rejected;
    },
    get reoffered() {
      return reoffered;
    },
    async stop() {
      clearInterval(sweep);
      clearTimeout(installTimer);
      await Promise.all(clients.map((c) => c.endAsync()));
    },
  };
}
