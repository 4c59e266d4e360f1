// What the demo prints once it runs: where everything is, the API tokens and the walk-through. The last line
// starts with "ready:", which scripts and the demo's test wait for.
import { relative } from 'node:path';
import type { SeededRelease, SeededUser } from './seed-record.ts';

export interface BannerFacts {
  url: string;
  portTaken: number | null;
  dataDir: string;
  database: string;
  brokerUrl: string;
  can: string;
  vins: readonly string[];
  ecus: readonly string[];
  flashKiB: number;
  releases: readonly SeededRelease[];
  vulnerabilityId: number;
  users: readonly SeededUser[];
  freshSeed: boolean;
}

const ROLE_LABEL: Record<SeededUser['role'], string> = {
  admin: 'admin',
  campaign_manager: 'campaign manager',
  approver: 'approver',
  security_engineer: 'security engineer',
  release_engineer: 'release engineer',
  auditor: 'auditor',
};

export function banner(f: BannerFacts): string {
  const shownDir = relative(process.cwd(), f.dataDir) || '.';
  const range = f.vins.length === 1 ? f.vins[0] : `${f.vins[0]} .. ${f.vins.at(-1)}`;
  const lines = [
    '',
    'OTA platform demo',
    `  dashboard  ${f.url}/ui   (API docs ${f.url}/docs)`,
    ...(f.portTaken !== null ? [`             port ${f.portTaken} was taken: using ${f.url.split(':').at(-1)}`] : []),
    `  database   ${f.database}${f.freshSeed ? ' (seeded now)' : ' (seeded earlier: state continues)'}`,
    `  MQTT       in-process broker at ${f.brokerUrl}`,
    `  CAN        ${f.can}`,
    `  fleet      ${f.vins.length} vehicle${f.vins.length === 1 ? '' : 's'} ${range}, ECUs ${f.ecus.join(', ')} (${f.flashKiB} KiB flash each)`,
    `  release    ${f.releases.map((r) => `${r.ecu} ${r.fromVersion} -> ${r.version}`).join(', ')}: authorised, fixes vulnerability #${f.vulnerabilityId}`,
    '',
    'API tokens (sign in to the dashboard with one; Authorization: Bearer for the API):',
    ...f.users.map((u) => `  ${u.name.padEnd(7)} ${ROLE_LABEL[u.role].padEnd(18)} ${u.token}`),
    '',
    'Next steps:',
    `  1. open ${f.url}/ui and sign in as maria (campaign manager) with her token`,
    '  2. Campaigns > New campaign: tick both releases (and the vulnerability they fix), Models "sample-sedan";',
    '     Waves: 25 and 100 %, soak 0, clear the other rows; clear the install window (any time);',
    '     Create draft, then Submit for approval',
    '  3. sign out, sign in as anton (approver): open the campaign and Approve',
    '  4. sign in as maria again and Start: the vehicles go offered, downloading, installing, succeeded',
    `  5. Fleet: a vehicle's ECUs now run ${f.releases.map((r) => `${r.ecu} ${r.version}`).join(' and ')}`,
    '',
    `Ctrl-C stops everything; the state stays in ${shownDir}/ (npm start -- --reset starts from scratch).`,
    `ready: ${f.url}/ui`,
  ];
  return lines.join('\n');
}
