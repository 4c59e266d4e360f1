// Public API of the ECU simulator, for tests, the demo and scripts (the other programs never import it).
export { startVehicle, memoryBusTransportFactory, ecuStateDir } from './vehicle-runner.ts';
export type { RunningVehicle, StartVehicleOptions, TransportFactory } from './vehicle-runner.ts';
export { VirtualEcu, type EcuStatus } from './ecu/virtual-ecu.ts';
export { loadVehicleFile, parseVehicleDefinition, VehicleDefinitionError } from './vehicle/load-vehicle.ts';
export type { LoadedVehicle } from './vehicle/load-vehicle.ts';
export { vehicleSchema, ecuSchema, type VehicleDefinition, type EcuDefinition } from './vehicle/schema.ts';
export { publicVehicleSchema, publicEcuSchema } from '@ota/uds/vehicle';
export type { PublicVehicleDefinition, PublicEcuDefinition } from '@ota/uds/vehicle';
export { parseFaultSpec, FaultSpecError, FAULT_STEPS, type Fault, type FaultStep } from './faults/fault-spec.ts';
export { startControlServer, type ControlServer } from './control/control-server.ts';
export { generateImage } from './image/generate-image.ts';
export { encodeInfoBlock, decodeInfoBlock, type AppInfo } from './image/app-info-block.ts';
export { DTC } from './ecu/dtc-codes.ts';
