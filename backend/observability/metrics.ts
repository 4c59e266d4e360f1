// The backend's Prometheus metrics (prom-client): HTTP latency by route, campaign and vehicle states,
// offers dispatched and reports ingested (read from the database at scrape time, so every instance of a
// cluster reports the same totals), reports this instance ingested and their ingest lag, database pool
// and broker state.
import { sql } from 'kysely';
import type { MiddlewareHandler } from 'hono';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { poolOf, type Db } from '../db/database.ts';
import type { CommitListener } from '../delivery/ingest/ingester.ts';

/** What the metrics read of delivery's ingester. */
export interface IngesterSource {
  /** Reports this instance's ingester wrote. */
  readonly ingested: number;
  onCommitted(listener: CommitListener): () => void;
}

export interface MetricsSources {
  db: Db;
  /** Whether delivery's MQTT connection is up; absent when the backend runs without delivery (reads 0). */
  brokerConnected?: () => boolean;
  /** `stored` confirmations (QoS 0) delivery dropped because its broker socket was congested. */
  brokerDroppedAtMostOnce?: () => number;
  /** This instance's report ingester: its count and each committed report's lag. */
  ingester?: IngesterSource;
}

export class BackendMetrics {
  readonly registry = new Registry();
  private readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  private readonly ingestLag: Histogram<'kind'>;
  private readonly sources: MetricsSources;

  constructor(db: Db) {
    this.sources = { db };
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'ota_process_' });
    this.httpDuration = new Histogram({
      name: 'ota_http_request_duration_seconds',
      help: 'HTTP request latency by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.ingestLag = new Histogram({
      name: 'ota_ingest_lag_seconds',
      help: "seconds from this instance's receipt of a vehicle report from the broker to its committed write, by kind",
      labelNames: ['kind'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    });
    registerDatabaseGauges(registers, this.sources);
    registerInstanceGauges(registers, this.sources);
  }

  /** Connects the parts that start after the app (delivery). */
  attach(sources: Omit<MetricsSources, 'db'>): void {
    Object.assign(this.sources, sources);
    sources.ingester?.onCommitted((kind, lagSeconds) => this.ingestLag.observe({ kind }, lagSeconds));
  }

  /** Times every request under its route pattern (not its path, so that ids do not multiply series). */
  http(): MiddlewareHandler {
    return async (c, next) => {
      const end = this.httpDuration.startTimer();
      await next();
      end({ method: c.req.method, route: c.req.routePath, status: String(c.res.status) });
    };
  }

  async text(): Promise<{ body: string; contentType: string }> {
    return { body: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}

type Registers = Registry[];

/** Figures read from the database at scrape time, so every instance of a cluster reports the same totals. */
function registerDatabaseGauges(registers: Registers, sources: MetricsSources): void {
  const byState = async (gauge: Gauge<'state'>, table: 'campaigns' | 'campaign_vehicles') => {
    const rows = await sql<{
      state: string;
      n: string;
    }>`select state, count(*) as n from ${sql.table(table)} group by state`.execute(sources.db);
    gauge.reset();
    for (const r of rows.rows) gauge.set({ state: r.state }, Number(r.n));
  };
  new Gauge({
    name: 'ota_campaigns',
    help: 'campaigns by state',
    labelNames: ['state'],
    registers,
    async collect() {
      await byState(this, 'campaigns');
    },
  });
  new Gauge({
    name: 'ota_campaign_vehicles',
    help: "vehicles of campaigns by their update's state",
    labelNames: ['state'],
    registers,
    async collect() {
      await byState(this, 'campaign_vehicles');
    },
  });
  new Gauge({
    name: 'ota_offers_dispatched',
    help: 'update offers sent to vehicles, all campaigns (only grows)',
    registers,
    async collect() {
      const r = await sql<{ n: string | null }>`select sum(offer_count) as n from campaign_vehicles`.execute(
        sources.db,
      );
      this.set(Number(r.rows[0]?.n ?? 0));
    },
  });
  new Gauge({
    name: 'ota_reports_ingested',
    help: 'vehicle reports written, by kind, all instances (only grows)',
    labelNames: ['kind'],
    registers,
    async collect() {
      const r = await sql<{
        kind: string;
        n: string;
      }>`select kind, count(*) as n from delivery_reports group by kind`.execute(sources.db);
      this.reset();
      for (const row of r.rows) this.set({ kind: row.kind }, Number(row.n));
    },
  });
}

/** Figures of this instance: its ingester, its database pool, its broker connection. */
function registerInstanceGauges(registers: Registers, sources: MetricsSources): void {
  new Gauge({
    name: 'ota_instance_reports_ingested',
    help: "reports this instance's ingester wrote since it started",
    registers,
    collect() {
      this.set(sources.ingester?.ingested ?? 0);
    },
  });
  new Gauge({
    name: 'ota_db_pool_connections',
    help: 'database pool connections: total, idle, and requests waiting for one',
    labelNames: ['kind'],
    registers,
    collect() {
      const pool = poolOf(sources.db);
      if (!pool) return;
      this.set({ kind: 'total' }, pool.totalCount);
      this.set({ kind: 'idle' }, pool.idleCount);
      this.set({ kind: 'waiting' }, pool.waitingCount);
    },
  });
  new Gauge({
    name: 'ota_broker_connected',
    help: "1 while delivery's MQTT connection is up, 0 while it is down or the backend runs without delivery",
    registers,
    collect() {
      if (sources.brokerConnected) this.set(sources.brokerConnected() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'ota_broker_qos0_dropped',
    help: 'QoS 0 messages (stored confirmations) this instance dropped since it started because the broker read them slower than it wrote: each vehicle resends and is confirmed again',
    registers,
    collect() {
      this.set(sources.brokerDroppedAtMostOnce?.() ?? 0);
    },
  });
}
