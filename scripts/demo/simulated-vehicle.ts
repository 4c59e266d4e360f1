// One simulated vehicle: its ECUs (ecu-sim) on the vehicle's CAN and its TCU (vehicle-gateway in connected
// mode) on the same CAN and the backend's MQTT broker. The gateway is provisioned on first start as a factory
// would: its config, the vehicle file, the ECUs' SecurityAccess secrets, its key, the TUF roots it trusts and
// copies of the images its ECUs run (delta bases); later starts reuse all of it, so journals and the
// simulator's flash survive a restart.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startVehicle, type RunningVehicle } from '../../ecu-sim/index.ts';
import { gatewayDirectoryConfig, loadGatewayConfig } from '../../vehicle-gateway/connected/config.ts';
import { GatewayService } from '../../vehicle-gateway/connected/gateway-service.ts';
import { ImageStore } from '../../vehicle-gateway/journal/image-store.ts';
import type { CanChoice } from './can-choice.ts';
import { demoVehicle, type DemoTemplate } from './fleet-definitions.ts';
import { regionSignatures, runningImage, testSigningSeedHex } from './images.ts';
import type { VehicleLayout } from './layout.ts';
import { privateKeyFromHex } from '@ota/uds';

export interface TrustedRoots {
  readonly image: Uint8Array;
  readonly director: Uint8Array;
}

export interface SimulatedVehicleOptions {
  index: number;
  template: DemoTemplate;
  layout: (vin: string) => VehicleLayout;
  can: CanChoice;
  brokerUrl: string;
  /** The backend's current roots, for a gateway provisioned now (a provisioned one keeps its own). */
  roots: (vin: string) => Promise<TrustedRoots>;
  log: (line: string) => void;
}

export interface SimulatedVehicle {
  readonly vin: string;
  readonly ecus: RunningVehicle;
  readonly gateway: GatewayService;
  stop(): Promise<void>;
}

const writeOnce = (file: string, content: string | Uint8Array) => {
  if (!existsSync(file)) writeFileSync(file, content, { mode: 0o600 });
};

export async function startSimulatedVehicle(o: SimulatedVehicleOptions): Promise<SimulatedVehicle> {
  const can = o.can.forVehicle(o.index);
  const definition = demoVehicle(o.template, o.index, can.iface);
  const dirs = o.layout(definition.vin);
  const ecus = await startVehicle({
    definition,
    baseDir: o.template.baseDir,
    stateDir: dirs.ecus,
    transportFactory: (iface) => can.open(iface),
    onError: (ecu, err) => o.log(`[ecu-sim ${definition.vin}/${ecu}] ${err.message}`),
  });
  try {
    // The image store is provisioned once; afterwards the gateway keeps it current itself.
    const firstStart = !existsSync(join(dirs.gatewayState, 'images'));
    mkdirSync(dirs.gatewayState, { recursive: true });
    // Rewritten each start: the CAN interface may change between vcan and the in-memory bus.
    writeFileSync(join(dirs.gateway, 'vehicle.json'), JSON.stringify(definition, null, 2));
    writeOnce(
      join(dirs.gateway, 'secrets.json'),
      JSON.stringify(Object.fromEntries(definition.ecus.map((e) => [e.name, e.simulation.securitySecret]))),
    );
    if (!existsSync(join(dirs.gateway, 'image-root.json'))) {
      const roots = await o.roots(definition.vin);
      writeFileSync(join(dirs.gateway, 'director-root.json'), roots.director);
      writeFileSync(join(dirs.gateway, 'image-root.json'), roots.image);
    }
    // Rewritten each start too: the broker's port may differ from the last run's (a free one when taken).
    // The demo runs backend, broker, every gateway and every ECU on one event loop, which stalls far
    // longer than a real ECU's P2 on a busy machine: a request is not given up before this margin.
    const configFile = gatewayDirectoryConfig({
      vin: definition.vin,
      brokerUrl: o.brokerUrl,
      stateDir: 'state',
      udsTimingMarginMs: 2000,
    });
    writeFileSync(join(dirs.gateway, 'gateway.json'), JSON.stringify(configFile, null, 2));
    if (firstStart) {
      const key = privateKeyFromHex(testSigningSeedHex(o.template));
      const store = new ImageStore(join(dirs.gatewayState, 'images'));
      for (const e of definition.ecus) {
        const image = runningImage(e);
        store.put(image, {
          version: e.simulation.softwareVersion,
          hardwareId: e.identification.hardwareId,
          signatures: regionSignatures(key, e, image),
        });
      }
    }
    const config = await loadGatewayConfig(join(dirs.gateway, 'gateway.json'));
    const gateway = await GatewayService.start(config, {
      openTransport: (iface) => can.open(iface),
      log: o.log,
    });
    return {
      vin: definition.vin,
      ecus,
      gateway,
      async stop() {
        await gateway.stop().catch((err: unknown) => o.log(`[gateway ${definition.vin}] stop: ${String(err)}`));
        await ecus.stop();
      },
    };
  } catch (err) {
    await ecus.stop();
    throw err;
  }
}
