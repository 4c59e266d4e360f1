// The fleet bench's vehicles: one MQTT client that receives every vehicle's offer and answers each with
// a succeeded result, at once or after installing for `installMs`, resending a result until the backend
// confirms it (`stored`), as the gateway does, so a broker that drops queued messages cannot stall the
// run. Per vehicle only ResendTracker's bits and InstallQueue's slots.
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
}

const QOS_1 = { qos: 1 } as const;

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

export async function startResponder(o: ResponderOptions): Promise<Responder> {
  // Jittered as the gateway's resends are.
  const tracker = new ResendTracker(o.vehicles, o.resendMs, {
    ackedMs: o.resendAckedMs,
    jitter: UNTIL_STORED_DEFAULTS.jitter,
  });
  const times: ResponderTimes = {};
  const payloadOf = resultPayloads(o.campaignId);
  let rejected = 0;
  let reoffered = 0;
  // log: mqtt.js's `debug` calls cost CPU per packet even when disabled.
  const client = await mqtt.connectAsync(o.url, {
    clientId: o.clientId,
    clean: true,
    protocolVersion: 5,
    log: () => undefined,
  });
  const send = (i: number) => {
    client.publish(vehicleTopic(o.vinOf(i), 'result'), payloadOf(i, tracker.answer(i)), QOS_1, (error) => {
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
  client.on('message', (topic, payload) => {
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
      installs.add(i, now);
      installTimer ??= setTimeout(finishInstalls, o.installMs, installs);
    } else if (payload.includes(`-result-${tracker.answer(i)}"`)) {
      // The confirmation of the vehicle's current result (one of an earlier result changes nothing).
      if (tracker.stored(i) && payload.includes('"rejected"')) rejected++;
    }
  });
  await client.subscribeAsync([`${TOPIC_PREFIX}/+/offer`, `${TOPIC_PREFIX}/+/stored`], { qos: 1 });
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
      await client.endAsync();
    },
  };
}
