import { decodeMessage, encodeMessage, vehicleTopic } from '@ota/protocol/messages';
import type { MessagePayload, RepositoryFiles } from '@ota/protocol/messages';
import type { KeySet } from '../keys/key-set.ts';
import type { BrokerClient } from '../mqtt/broker-client.ts';
import { ensureDirectorMetadata } from '../tuf-repo/director.ts';
import { latestMetadata, metadataVersion, rootsAfter } from '../tuf-repo/metadata-store.ts';
import type { Repository } from '../tuf-repo/metadata-store.ts';
import { directorTargetsFor } from './assignment.ts';
import type { Db } from '../db/database.ts';
import { TERMINAL_VEHICLE_STATES } from '../campaigns/states.ts';

const text = new TextDecoder();

class RequestRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The newest consistent set of a repository scope: timestamp, the snapshot it names, the targets that names. */
async function repositoryFiles(
  db: Db,
  repository: Repository,
  scope: string,
  trustedRoot: number,
): Promise<RepositoryFiles> {
  const timestamp = await latestMetadata(db, repository, scope, 'timestamp');
  if (!timestamp) throw new RequestRefused('not_published', `the ${repository} repository has no metadata yet`);
  const parse = (bytes: Uint8Array) =>
    JSON.parse(text.decode(bytes)) as { signed: { meta: Record<string, { version: number }> } };
  const snapshotVersion = parse(timestamp.bytes).signed.meta['snapshot.json']!.version;
  const snapshot = await metadataVersion(db, repository, scope, 'snapshot', snapshotVersion);
  const targetsVersion = snapshot && parse(snapshot).signed.meta['targets.json']?.version;
  const targets =
    targetsVersion === undefined ? undefined : await metadataVersion(db, repository, scope, 'targets', targetsVersion);
  if (!snapshot || !targets) throw new RequestRefused('not_published', `the ${repository} repository is incomplete`);
  const roots = await rootsAfter(db, repository, trustedRoot);
  return {
    roots: roots.map((r) => text.decode(r.bytes)),
    timestamp: text.decode(timestamp.bytes),
    snapshot: text.decode(snapshot),
    targets: text.decode(targets),
  };
}

/**
 * Answers a vehicle's metadata request for a campaign it was offered: its Director metadata
 * (signed now if what it must install changed) and the Image repository's current metadata, each
 * with the root versions after the one the vehicle trusts.
 */
export class MetadataResponder {
  /** Director metadata of one VIN is signed by one request at a time (versions must not collide). */
  readonly #perVin = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: { db: Db; keys: KeySet; broker: BrokerClient }) {}

  async handle(vin: string, payload: Uint8Array): Promise<void> {
    const request = decodeMessage('metadata/request', payload);
    let response: MessagePayload<'metadata/response'>;
    try {
      const previous = this.#perVin.get(vin) ?? Promise.resolve();
      const work = previous.catch(() => undefined).then(() => this.#answer(vin, request));
      this.#perVin.set(vin, work);
      response = await work.finally(() => {
        if (this.#perVin.get(vin) === work) this.#perVin.delete(vin);
      });
    } catch (error) {
      if (!(error instanceof RequestRefused)) throw error;
      response = { requestId: request.requestId, status: 'error', error: { code: error.code, message: error.message } };
    }
    await this.deps.broker.publish(
      vehicleTopic(vin, 'metadata/response'),
      encodeMessage('metadata/response', response),
    );
  }

  async #answer(
    vin: string,
    request: MessagePayload<'metadata/request'>,
  ): Promise<MessagePayload<'metadata/response'>> {
    const { db, keys } = this.deps;
    if (!/^\d{1,9}$/.test(request.campaignId))
      throw new RequestRefused('unknown_campaign', `no campaign ${request.campaignId}`);
    const campaignId = Number(request.campaignId);
    const row = await db
      .selectFrom('campaign_vehicles as cv')
      .innerJoin('campaigns as c', 'c.id', 'cv.campaign_id')
      .select(['cv.state', 'c.state as campaign_state'])
      .where('cv.campaign_id', '=', campaignId)
      .where('cv.vin', '=', vin)
      // The dispatcher commits an offer only once the broker has it, so a quick vehicle can ask before
      // that commit: waiting on the row's lock reads the committed claim instead of refusing a valid offer.
      .forShare('cv')
      .executeTakeFirst();
    if (!row) throw new RequestRefused('not_targeted', `${vin} is not in campaign ${campaignId}`);
    if (row.campaign_state !== 'running')
      throw new RequestRefused('campaign_not_running', `campaign ${campaignId} is ${row.campaign_state}`);
    if (TERMINAL_VEHICLE_STATES.includes(row.state) || row.state === 'pending') {
      throw new RequestRefused('not_offered', `${vin} is ${row.state} in campaign ${campaignId}`);
    }
    const targets = await directorTargetsFor(db, campaignId, vin);
    if (Object.keys(targets).length === 0)
      throw new RequestRefused('nothing_to_install', `${vin} already runs what campaign ${campaignId} installs`);
    await ensureDirectorMetadata(db, keys, vin, targets);
    const [director, image] = await Promise.all([
      repositoryFiles(db, 'director', vin, request.trustedRootVersions.director),
      repositoryFiles(db, 'image', '', request.trustedRootVersions.image),
    ]);
    return { requestId: request.requestId, status: 'ok', campaignId: request.campaignId, image, director };
  }
}
