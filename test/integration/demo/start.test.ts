// npm start end to end: a fresh data directory, the printed tokens, a campaign created, approved and started
// through the REST API, the simulated fleet updated over MQTT and (in-memory) CAN, Ctrl-C, and a restart that
// continues from the saved state without seeding again.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backendApi } from '../../support/backend-api.ts';
import { DemoProcess } from './demo-process.ts';

const VEHICLES = 3;
const VINS = Array.from({ length: VEHICLES }, (_, i) => `WVSAMPLED${String(i + 1).padStart(8, '0')}`);

interface Campaign {
  id: number;
  state: string;
}
interface Progress {
  total: number;
  byState: Record<string, number>;
}
interface Vehicle {
  ecus: { name: string; installedVersion: string }[];
}
interface Page {
  items: unknown[];
}

describe('npm start (scripts/start.ts)', () => {
  let dataDir = '';
  const running: DemoProcess[] = [];
  afterAll(async () => {
    for (const p of running) await p.stop('SIGKILL');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  // Port 0: the OS chooses and the demo names it (a port picked beforehand may be taken meanwhile).
  async function startDemo(): Promise<{ demo: DemoProcess; base: string }> {
    const demo = DemoProcess.start([
      '--data-dir',
      dataDir,
      '--port',
      '0',
      '--mqtt-port',
      '0',
      '--vehicles',
      String(VEHICLES),
      '--can',
      'memory',
    ]);
    running.push(demo);
    // Generous: on a busy machine (CI's two cores, other test files beside it) startup was seen over 60 s.
    const ready = await demo.waitFor(/^ready: (http:\/\/\S+)\/ui$/m, 240_000);
    return { demo, base: ready[1]! };
  }

  const versions = (v: Vehicle) => Object.fromEntries(v.ecus.map((e) => [e.name, e.installedVersion]));

  it('seeds, updates the fleet through a four-eyes campaign, stops on SIGINT and continues after a restart', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'demo-start-'));
    const first = await startDemo();
    expect(first.demo.output).toContain('in-process MemoryCanBus per vehicle');
    expect(first.demo.output).toContain('(seeded now)');
    const maria = backendApi(first.base).as(first.demo.token('maria'));
    const anton = backendApi(first.base).as(first.demo.token('anton'));

    const releases = (await maria<Page>('GET', '/api/releases')).items as { id: number; state: string }[];
    expect(releases.map((r) => r.state)).toEqual(['authorized', 'authorized']);
    const vulns = (await maria<Page>('GET', '/api/vulnerabilities')).items as { id: number }[];
    const created = await maria<Campaign>(
      'POST',
      '/api/campaigns',
      {
        name: 'Diagnostic session bypass fix',
        kind: 'security_patch',
        releaseIds: releases.map((r) => r.id),
        vulnerabilityIds: vulns.map((v) => v.id),
        targetFilter: { modelIds: ['sample-sedan'] },
        installPolicy: { windows: [], preconditions: [], driverConsentRequired: false },
        waves: [
          { cumulativePercent: 34, successThreshold: 0.95, errorThreshold: 0.05, soakMinutes: 0 },
          { cumulativePercent: 100, successThreshold: 0.95, errorThreshold: 0.05, soakMinutes: 0 },
        ],
      },
      201,
    );
    await maria('POST', `/api/campaigns/${created.id}/submit`, { reason: 'fleet fix' });
    await expect(maria('POST', `/api/campaigns/${created.id}/approve`, { reason: 'self' })).rejects.toThrow(/403/);
    await anton('POST', `/api/campaigns/${created.id}/approve`, { reason: 'four eyes' });
    await maria('POST', `/api/campaigns/${created.id}/start`, { reason: 'go' });

    let campaign: Campaign = created;
    const until = Date.now() + 180_000;
    while (campaign.state !== 'completed' && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 500));
      campaign = await maria<Campaign>('GET', `/api/campaigns/${created.id}`);
    }
    expect(campaign.state).toBe('completed');
    const progress = await maria<Progress>('GET', `/api/campaigns/${created.id}/progress`);
    expect(progress).toMatchObject({ total: VEHICLES, byState: { succeeded: VEHICLES } });
    // A vehicle's inventory comes from the manifest it sends after its result: the campaign may
    // complete on the results before the last manifests are stored.
    for (const vin of VINS) {
      await expect
        .poll(async () => versions(await maria<Vehicle>('GET', `/api/vehicles/${vin}`)), { timeout: 30_000 })
        .toEqual({ ecm: '2.4.1', bcm: '1.7.1', adas: '5.0.4' });
    }
    // The backend built delta packages from the archived factory images.
    expect(first.demo.output).toMatch(/wave 1: 2 delta packages built/);

    expect(await first.demo.stop('SIGINT')).toBe(0); // the demo exits 1 if stopping takes over 10 s
    expect(first.demo.output).toMatch(/^stopped in /m);

    const second = await startDemo();
    expect(second.demo.output).toContain('(seeded earlier: state continues)');
    expect(second.demo.token('maria')).toBe(first.demo.token('maria'));
    const maria2 = backendApi(second.base).as(second.demo.token('maria'));
    expect((await maria2<Campaign>('GET', `/api/campaigns/${created.id}`)).state).toBe('completed');
    const admin2 = backendApi(second.base).as(second.demo.token('admin'));
    expect((await admin2<Page>('GET', '/api/users')).items).toHaveLength(6);
    expect((await maria2<Page>('GET', '/api/releases')).items).toHaveLength(2);
    expect((await maria2<Page>('GET', '/api/vulnerabilities')).items).toHaveLength(1);
    expect((await maria2<Page>('GET', '/api/vehicles')).items).toHaveLength(VEHICLES);
    // The restarted gateways read their ECUs (whose flash persisted) and report the new versions again.
    for (const vin of VINS) await second.demo.waitFor(new RegExp(`\\[gateway ${vin}\\] manifest 2 published`), 30_000);
    for (let i = 0; i < 10; i++) {
      for (const vin of VINS) expect(versions(await maria2<Vehicle>('GET', `/api/vehicles/${vin}`)).bcm).toBe('1.7.1');
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await second.demo.stop('SIGTERM')).toBe(0);
  }, 900_000);
});
