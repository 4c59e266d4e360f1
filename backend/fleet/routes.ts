import { z } from '@hono/zod-openapi';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Db } from '../db/database.ts';
import { ROLES } from '../users/types.ts';
import type { AppEnv } from '../http/auth.ts';
import { actorOf } from '../http/actor.ts';
import { listQuery, PageQuery } from '../http/pagination.ts';
import { jsonBody, jsonResponse, pageResponse, securedRoute } from '../http/route.ts';
import {
  InstalledVersions,
  LifecycleChange,
  Vehicle,
  VehicleInput,
  VehicleListQuery,
  VehicleModel,
  VehicleModelInput,
  VersionChange,
  VinParam,
} from './schemas.ts';
import {
  changeVehicleLifecycle,
  createVehicleModel,
  listVehicleModels,
  listVehicles,
  loadVehicle,
  recordInstalledVersions,
  registerVehicle,
  vehicleHistory,
} from './service.ts';

const FLEET_WRITERS = ['admin', 'campaign_manager'] as const;
const tags = ['fleet'];

export function registerFleetRoutes(app: OpenAPIHono<AppEnv>, db: Db): void {
  registerVehicleModelRoutes(app, db);
  registerVehicleRoutes(app, db);
}

function registerVehicleModelRoutes(app: OpenAPIHono<AppEnv>, db: Db): void {
  app.openapi(
    securedRoute(FLEET_WRITERS, {
      method: 'post',
      path: '/api/vehicle-models',
      tags,
      summary: 'Create a vehicle model (with its end-of-support date)',
      request: { body: jsonBody(VehicleModelInput) },
      responses: { 201: jsonResponse(VehicleModel, 'the model') },
    }),
    async (c) => c.json(await createVehicleModel(db, actorOf(c), c.req.valid('json')), 201),
  );
  app.openapi(
    securedRoute(ROLES, {
      method: 'get',
      path: '/api/vehicle-models',
      tags,
      summary: 'List vehicle models',
      request: { query: PageQuery },
      responses: { 200: pageResponse(VehicleModel, 'a page of models') },
    }),
    async (c) => c.json(await listVehicleModels(db, c.req.valid('query')), 200),
  );
}

function registerVehicleRoutes(app: OpenAPIHono<AppEnv>, db: Db): void {
  app.openapi(
    securedRoute(FLEET_WRITERS, {
      method: 'post',
      path: '/api/vehicles',
      tags,
      summary: 'Register a vehicle with its ECUs',
      request: { body: jsonBody(VehicleInput) },
      responses: { 201: jsonResponse(Vehicle, 'the vehicle') },
    }),
    async (c) => c.json(await registerVehicle(db, actorOf(c), c.req.valid('json')), 201),
  );
  app.openapi(
    securedRoute(ROLES, {
      method: 'get',
      path: '/api/vehicles',
      tags,
      summary: 'List vehicles (ordered by VIN)',
      request: { query: listQuery(VehicleListQuery) },
      responses: { 200: pageResponse(Vehicle, 'a page of vehicles') },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json(await listVehicles(db, q, q), 200);
    },
  );
  app.openapi(
    securedRoute(ROLES, {
      method: 'get',
      path: '/api/vehicles/{vin}',
      tags,
      summary: 'A vehicle with its ECUs',
      request: { params: VinParam },
      responses: { 200: jsonResponse(Vehicle, 'the vehicle') },
    }),
    async (c) => c.json(await loadVehicle(db, c.req.valid('param').vin), 200),
  );
  app.openapi(
    securedRoute(ROLES, {
      method: 'get',
      path: '/api/vehicles/{vin}/history',
      tags,
      summary: "Every version change of the vehicle's ECUs",
      request: { params: VinParam, query: PageQuery },
      responses: { 200: pageResponse(VersionChange, 'a page of changes') },
    }),
    async (c) => c.json(await vehicleHistory(db, c.req.valid('param').vin, c.req.valid('query')), 200),
  );
  app.openapi(
    securedRoute(['admin', 'security_engineer'], {
      method: 'post',
      path: '/api/vehicles/{vin}/lifecycle',
      tags,
      summary: 'Isolate, transfer ownership, retire or reactivate a vehicle',
      request: { params: VinParam, body: jsonBody(LifecycleChange) },
      responses: { 200: jsonResponse(Vehicle, 'the vehicle after the change') },
    }),
    async (c) =>
      c.json(await changeVehicleLifecycle(db, actorOf(c), c.req.valid('param').vin, c.req.valid('json')), 200),
  );
  app.openapi(
    securedRoute(FLEET_WRITERS, {
      method: 'post',
      path: '/api/vehicles/{vin}/installed-versions',
      tags,
      summary: 'Record installed versions as reported by the vehicle (idempotent)',
      request: { params: VinParam, body: jsonBody(InstalledVersions) },
      responses: { 200: jsonResponse(z.object({ changed: z.number().int() }), 'how many ECUs changed') },
    }),
    async (c) => {
      const vin = c.req.valid('param').vin;
      await loadVehicle(db, vin);
      return c.json(await recordInstalledVersions(db, vin, c.req.valid('json').ecus, `api:${c.get('user').name}`), 200);
    },
  );
}
