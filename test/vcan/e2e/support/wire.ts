// Watches the MQTT traffic between backend and gateways as a third client of the broker: what the Director
// assigned each vehicle (its metadata responses) and which blobs each gateway fetched (its chunk requests).
// This is how the test sees, on the wire, that the vehicles downloaded delta packages and not whole images.
import mqtt from 'mqtt';

export interface DirectorAssignment {
  /** Target image sha256 per ECU serial. */
  readonly imageSha256: string;
  readonly imageLength: number;
  /** The delta package the Director offered for that ECU, if any. */
  readonly delta: { sha256: string; length: number; baseSha256: string } | null;
}

export interface WireLog {
  /** Per VIN: ECU serial -> what the Director's targets assigned (from the last metadata response). */
  assignments(vin: string): Map<string, DirectorAssignment>;
  /** Per VIN: the sha256 of every blob its gateway asked chunks of. */
  fetchedBlobs(vin: string): Set<string>;
  close(): Promise<void>;
}

interface DirectorTargets {
  signed: {
    targets: Record<
      string,
      {
        length: number;
        hashes: { sha256: string };
        custom?: {
          ecus?: Record<string, { delta?: { sha256: string; length: number; base: { sha256: string } } }>;
        };
      }
    >;
  };
}

export async function watchWire(brokerUrl: string): Promise<WireLog> {
  const client = await mqtt.connectAsync(brokerUrl, {
    clientId: `e2e-observer-${process.pid}`,
    clean: true,
    reconnectPeriod: 0,
  });
  const assignments = new Map<string, Map<string, DirectorAssignment>>();
  const fetched = new Map<string, Set<string>>();
  client.on('message', (topic, payload) => {
    const match = /^ota\/v1\/vehicles\/([^/]+)\/(metadata\/response|chunks\/request)$/.exec(topic);
    if (!match) return;
    const [, vin, kind] = match as unknown as [string, string, string];
    const body = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
    if (kind === 'chunks/request') {
      const set = fetched.get(vin) ?? new Set<string>();
      set.add(String(body.sha256));
      fetched.set(vin, set);
      return;
    }
    if (body.status !== 'ok') return;
    const director = body.director as { targets: string };
    const targets = (JSON.parse(director.targets) as DirectorTargets).signed.targets;
    const byEcu = new Map<string, DirectorAssignment>();
    for (const target of Object.values(targets)) {
      for (const [serial, ecu] of Object.entries(target.custom?.ecus ?? {})) {
        byEcu.set(serial, {
          imageSha256: target.hashes.sha256,
          imageLength: target.length,
          delta: ecu.delta
            ? { sha256: ecu.delta.sha256, length: ecu.delta.length, baseSha256: ecu.delta.base.sha256 }
            : null,
        });
      }
    }
    assignments.set(vin, byEcu);
  });
  await client.subscribeAsync(['ota/v1/vehicles/+/metadata/response', 'ota/v1/vehicles/+/chunks/request'], {
    qos: 1,
  });
  return {
    assignments: (vin) => assignments.get(vin) ?? new Map(),
    fetchedBlobs: (vin) => fetched.get(vin) ?? new Set(),
    close: () => client.endAsync(),
  };
}
