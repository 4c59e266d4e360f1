// The vehicle's link against a real Mosquitto, with a test client in the backend's place.
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMosquitto, type TestMosquitto } from '../../test/support/mosquitto.ts';
import { decodeMessage, encodeMessage } from '../messages/codec.ts';
import { vehicleTopic } from '../messages/topics.ts';
import { attachVehicleLink, vehicleWill, type VehicleMqtt } from './vehicle-link.ts';

const VIN = 'LNKTST00000000001';
let broker: TestMosquitto;
let backend: MqttClient;
let link: VehicleMqtt;
/** The metadata request ids the backend saw. */
const requests: string[] = [];
/** How many requests the backend leaves unanswered before it answers. */
let ignore = 0;

beforeAll(async () => {
  broker = await startMosquitto({ persistence: false, why: 'the vehicle link test' });
  backend = await mqtt.connectAsync(broker.url, { clientId: 'link-test-backend' });
  await backend.subscribeAsync(vehicleTopic(VIN, 'metadata/request'), { qos: 1 });
  backend.on('message', (_topic, payload) => {
    const { requestId } = decodeMessage('metadata/request', payload);
    requests.push(requestId);
    if (requests.length <= ignore) return;
    const response = encodeMessage('metadata/response', {
      requestId,
      status: 'error',
      error: { code: 'paused', message: 'the campaign is paused' },
    });
    void backend.publishAsync(vehicleTopic(VIN, 'metadata/response'), Buffer.from(response), { qos: 1 });
  });
  const client = await mqtt.connectAsync(broker.url, { clientId: VIN, will: vehicleWill(VIN) });
  link = await attachVehicleLink(client, { vin: VIN, name: `test ${VIN}`, protocolVersion: 4 });
}, 60_000);
afterAll(async () => {
  await link?.close();
  await backend?.endAsync();
  await broker?.close();
});

describe('vehicle link: metadata requests', () => {
  it('asks again with the same request id when no response comes, and takes the answer', async () => {
    requests.length = 0;
    ignore = 2;
    const request = {
      requestId: 'retry-same-id-1',
      campaignId: '7',
      trustedRootVersions: { image: 1, director: 1 },
    };
    const response = await link.requestMetadata(request, { timeoutMs: 2000, attempts: 5 });
    expect(response).toMatchObject({ requestId: 'retry-same-id-1', status: 'error' });
    expect(requests).toEqual(['retry-same-id-1', 'retry-same-id-1', 'retry-same-id-1']);
  });

  it('gives up after its attempts, naming the campaign', async () => {
    requests.length = 0;
    ignore = 10;
    const request = { requestId: 'never-answered', campaignId: '8', trustedRootVersions: { image: 1, director: 1 } };
    await expect(link.requestMetadata(request, { timeoutMs: 200, attempts: 2 })).rejects.toThrow(
      'no metadata response for 8 within 200 ms (2 attempts)',
    );
    expect(requests).toEqual(['never-answered', 'never-answered']);
  });
});
