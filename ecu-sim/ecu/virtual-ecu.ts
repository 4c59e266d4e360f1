// One simulated ECU: its memory, bootloader and application behaviour behind a UdsServer on ISO-TP over a CAN
// transport. Starting it is powering it on (secure boot runs); powerLoss() stops it dead where it stands.
import type { KeyObject } from 'node:crypto';
import {
  DiagnosticSession,
  IsoTpEndpoint,
  NegativeResponse,
  UdsServer,
  type CanTransport,
  type ServiceDefinition,
} from '@ota/uds';
import { EcuFaults } from '../faults/ecu-faults.ts';
import { EcuAuthentication, type EcuAuthenticationConfig } from './authentication.ts';
import { authenticationService } from './services/authentication.ts';
import { requestStep } from '../faults/fault-step.ts';
import { PowerLostError, PowerSupply } from '../flash/power.ts';
import type { EcuDefinition } from '../vehicle/schema.ts';
import { ecuEndpointOptions } from './ecu-addressing.ts';
import type { EcuContext } from './ecu-context.ts';
import { EcuMemory } from './ecu-memory.ts';
import { FaultAwareEndpoint } from './fault-aware-endpoint.ts';
import { Programming } from './programming.ts';
import { secureBoot, type BootOutcome } from './secure-boot.ts';
import { SecurityAccess } from './security-access.ts';
import { dataTransferServices } from './services/data-transfer.ts';
import { readDataByIdentifierService, writeDataByIdentifierService } from './services/data-by-identifier.ts';
import { diagnosticServices } from './services/diagnostics.ts';
import { routineControlService } from './services/routine-control.ts';
import { ecuResetService, sessionService } from './services/session-and-reset.ts';
import { securityAccessService } from './services/security-access.ts';
import type { VehicleConditions } from './vehicle-conditions.ts';

/** maxNumberOfBlockLength when the definition names none: the largest classical ISO-TP message. */
export const DEFAULT_MAX_BLOCK_LENGTH = 0x0fff;

export interface VirtualEcuOptions {
  definition: EcuDefinition;
  vin: string;
  /** The ECU's own state directory (already provisioned). */
  stateDir: string;
  /** OEM code-signing public key the ECU verifies images with. */
  publicKey: KeyObject;
  transport: CanTransport;
  conditions: VehicleConditions;
  faults?: EcuFaults;
  /** The 0x29 trust anchor and the ECU's certificate; required when the definition's access offers 0x29. */
  authentication?: EcuAuthenticationConfig;
  /** S3server; default 5000 ms (flash-protocol.md). Tests shorten it. */
  s3ServerMs?: number;
  /** Called with handler failures (they are answered 0x10) other than a power loss. */
  onError?: (err: Error) => void;
}

export interface EcuStatus {
  name: string;
  powered: boolean;
  mode: BootOutcome['mode'];
  session: number;
  /** The unlocked security level, 0 when locked. */
  securityLevel: number;
  activeBank: string;
  softwareVersion: string | null;
  unconfirmedBoots: number | null;
  bootCount: number;
  dtcs: number[];
}

export class VirtualEcu implements EcuContext {
  readonly definition: EcuDefinition;
  readonly vin: string;
  readonly memory: EcuMemory;
  readonly programming: Programming;
  readonly security: SecurityAccess;
  /** 0x29 state; null when the ECU offers only seed/key. */
  readonly authentication: EcuAuthentication | null;
  readonly faults: EcuFaults;
  readonly conditions: VehicleConditions;
  readonly power = new PowerSupply();
  readonly timing: { p2ServerMs: number; p2StarServerMs: number };
  dtcSettingOn = true;
  communicationControlType = 0x00;
  private bootOutcome: BootOutcome;
  /** Settles once an interrupted in-place update found at power-on finished (true) or none was found (false). */
  readonly inPlaceResumed: Promise<boolean>;
  private readonly physical: IsoTpEndpoint;
  private readonly functional: IsoTpEndpoint;
  private readonly server: UdsServer;
  private readonly transport: CanTransport;
  private stopped = false;
  private lastSession: number = DiagnosticSession.default;

  constructor(options: VirtualEcuOptions) {
    const def = options.definition;
    this.definition = def;
    this.vin = options.vin;
    this.conditions = options.conditions;
    this.faults = options.faults ?? new EcuFaults();
    this.transport = options.transport;
    this.timing = { p2ServerMs: def.simulation.p2ServerMs, p2StarServerMs: def.simulation.p2StarServerMs };
    this.memory = new EcuMemory(def, options.stateDir, this.power, options.publicKey, () =>
      this.faults.flashWriteDelayMs(),
    );
    this.security = new SecurityAccess(this.memory, Buffer.from(def.simulation.securitySecret, 'hex'));
    if (def.access !== 'seedKey' && !options.authentication) {
      throw new Error(`${def.name}: access "${def.access}" needs its authentication configuration`);
    }
    this.authentication =
      def.access === 'seedKey' || !options.authentication ? null : new EcuAuthentication(options.authentication);
    this.programming = new Programming(this.memory, this.faults, this.power, {
      maxBlockLength: def.simulation.maxBlockLength ?? DEFAULT_MAX_BLOCK_LENGTH,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    });
    // An in-place update a power cut interrupted finishes first; its region is unsigned until checkMemory.
    this.inPlaceResumed = this.programming.resumeInPlace();
    this.bootOutcome = secureBoot(this.memory, def.simulation.maxUnconfirmedBoots);

    const endpoints = ecuEndpointOptions(def);
    this.physical = new FaultAwareEndpoint(this.transport, endpoints.physical, this.faults, this.power);
    this.functional = new IsoTpEndpoint(this.transport, endpoints.functional);
    this.server = new UdsServer({
      physical: this.physical,
      functional: this.functional,
      ...this.timing,
      // 0x78 at half of P2server (the framework's default is 80 %): room for a busy event loop before P2.
      responsePendingAfterMs: Math.floor(this.timing.p2ServerMs / 2),
      s3ServerMs: options.s3ServerMs ?? 5000,
    });
    for (const service of this.services()) this.server.register(this.withInjectedNrc(service));
    this.server.onSessionChange((session, cause) => this.sessionChanged(session, cause));
    this.server.onError((err) => {
      if (!(err instanceof PowerLostError) && this.power.isOn) options.onError?.(err);
    });
    this.power.onCut(() => void this.shutDown());
  }

  get boot(): BootOutcome {
    return this.bootOutcome;
  }

  get name(): string {
    return this.definition.name;
  }

  private services(): ServiceDefinition[] {
    return [
      sessionService(this),
      ecuResetService(this),
      readDataByIdentifierService(this),
      writeDataByIdentifierService(this),
      ...(this.definition.access === 'certificate' ? [] : [securityAccessService(this)]),
      ...(this.authentication ? [authenticationService(this.authentication)] : []),
      routineControlService(this),
      ...dataTransferServices(this),
      ...diagnosticServices(this),
    ];
  }

  /** An `nrc:X@step` fault answers X before the handler runs (after the framework's own checks). */
  private withInjectedNrc(service: ServiceDefinition): ServiceDefinition {
    return {
      ...service,
      handler: (request, ctx) => {
        const step = requestStep(request);
        const nrc = step === null ? null : this.faults.nrcFor(step);
        if (nrc !== null) throw new NegativeResponse(nrc, `injected fault at ${step}`);
        return service.handler(request, ctx);
      },
    };
  }

  private sessionChanged(session: number, cause: string): void {
    const left = this.lastSession;
    this.lastSession = session;
    this.security.forgetSeed();
    this.authentication?.forget();
    if (left === DiagnosticSession.programming) {
      this.programming.reset();
      // S3 expiry in the bootloader: it leaves like a reset would.
      if (cause === 's3Timeout') this.reboot();
    }
  }

  reboot(): void {
    this.programming.powerOnReset();
    this.security.forgetSeed();
    this.authentication?.forget();
    this.server.setSecurityLevel(0); // also when the reset finds the ECU in the default session already
    this.dtcSettingOn = true;
    this.communicationControlType = 0x00;
    this.bootOutcome = secureBoot(this.memory, this.definition.simulation.maxUnconfirmedBoots);
    this.server.setSession(DiagnosticSession.default, 'application');
  }

  /** Cuts the power now: nothing more is answered or persisted. The state dir keeps what was written. */
  powerLoss(): void {
    this.power.cut();
  }

  get powered(): boolean {
    return this.power.isOn && !this.stopped;
  }

  status(): EcuStatus {
    const s = this.memory.state;
    return {
      name: this.name,
      powered: this.powered,
      mode: this.bootOutcome.mode,
      session: this.server.session,
      securityLevel: this.server.securityLevel,
      activeBank: s.activeBank,
      softwareVersion: this.bootOutcome.mode === 'application' ? this.bootOutcome.version : null,
      unconfirmedBoots: s.unconfirmedBoots,
      bootCount: s.bootCount,
      dtcs: s.dtcs.map((d) => d.code),
    };
  }

  private async shutDown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const closing = this.server.close();
    await this.physical.close();
    await this.functional.close();
    await this.transport.close();
    await closing;
    this.memory.close();
  }

  /** Orderly stop (process exit, end of a test). */
  async stop(): Promise<void> {
    await this.shutDown();
  }
}
