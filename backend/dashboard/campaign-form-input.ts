import { CAMPAIGN_KINDS, INSTALL_PRECONDITIONS } from '../campaigns/types.ts';
import type { CampaignKind, InstallPrecondition, TargetFilter } from '../campaigns/types.ts';
import type { CampaignInput, WavePlan } from '../campaigns/service.ts';
import { invalid } from '../http/problem.ts';
import { WAVE_ROWS, WINDOW_ROWS } from './pages/campaign-form.tsx';

/** A posted form as Hono parses it with `all: true`. */
export type Form = Record<string, string | File | (string | File)[]>;

const text = (form: Form, name: string): string => {
  const v = form[name];
  return typeof v === 'string' ? v.trim() : '';
};
const all = (form: Form, name: string): string[] => {
  const v = form[name] ?? form[`${name}[]`];
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string');
};
const csv = (value: string): string[] | undefined => {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return items.length ? items : undefined;
};
function ids(values: string[], field: string): number[] {
  return values.map((v) => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n <= 0) throw invalid(field, `"${v}" is not an id`);
    return n;
  });
}
function year(value: string, field: string): number | undefined {
  if (!value) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1980 || n > 2100) throw invalid(field, 'a model year between 1980 and 2100');
  return n;
}

/** The target filter fields, shared by the form post and the live count. */
export function targetFilterFrom(get: (name: string) => string): TargetFilter {
  const from = year(get('modelYearFrom'), 'modelYearFrom');
  const to = year(get('modelYearTo'), 'modelYearTo');
  const filter: TargetFilter = {};
  const set = (key: 'modelIds' | 'regions' | 'hardwareIds' | 'currentVersions' | 'tags' | 'vins', name: string) => {
    const values = csv(get(name));
    if (values) filter[key] = key === 'vins' ? values.map((v) => v.toUpperCase()) : values;
  };
  set('modelIds', 'modelIds');
  set('regions', 'regions');
  set('hardwareIds', 'hardwareIds');
  set('currentVersions', 'currentVersions');
  set('tags', 'tags');
  set('vins', 'vins');
  if (from !== undefined || to !== undefined) filter.modelYears = { from, to };
  return filter;
}

export function releaseIdsFrom(values: string[]): number[] {
  return ids(values, 'releaseIds');
}

function percentField(form: Form, name: string): number {
  const raw = text(form, name);
  const n = Number(raw);
  if (!raw || !Number.isFinite(n) || n < 0 || n > 100) throw invalid(name, 'a percentage from 0 to 100');
  return n;
}

function soakField(form: Form, name: string): number {
  const n = Number(text(form, name) || '0');
  if (!Number.isInteger(n) || n < 0) throw invalid(name, 'whole minutes, 0 or more');
  return n;
}

/** The wave table's rows that are filled in, in order: the service's wave i is form row waveRowsOf(form)[i]. */
export function waveRowsOf(form: Form): number[] {
  return Array.from({ length: WAVE_ROWS }, (_, i) => i).filter((i) => text(form, `wave${i}_percent`) !== '');
}

function preconditionsFrom(values: string[]): InstallPrecondition[] {
  for (const v of values) {
    if (!(INSTALL_PRECONDITIONS as readonly string[]).includes(v))
      throw invalid('preconditions', `unknown precondition "${v}"`);
  }
  return values as InstallPrecondition[];
}

/** Reads the campaign form into the service's input; the service checks the domain rules. */
export function campaignInputFrom(form: Form): CampaignInput {
  const name = text(form, 'name');
  if (!name) throw invalid('name', 'required');
  const kind = text(form, 'kind') as CampaignKind;
  if (!CAMPAIGN_KINDS.includes(kind)) throw invalid('kind', `one of ${CAMPAIGN_KINDS.join(', ')}`);
  const waves: WavePlan[] = [];
  for (const i of waveRowsOf(form)) {
    waves.push({
      cumulativePercent: percentField(form, `wave${i}_percent`),
      successThreshold: percentField(form, `wave${i}_success`) / 100,
      errorThreshold: percentField(form, `wave${i}_error`) / 100,
      soakMinutes: soakField(form, `wave${i}_soak`),
    });
  }
  const windows: { from: string; to: string }[] = [];
  for (let i = 0; i < WINDOW_ROWS; i += 1) {
    const from = text(form, `window${i}_from`);
    const to = text(form, `window${i}_to`);
    if (!from && !to) continue;
    if (!/^\d\d:\d\d$/.test(from) || !/^\d\d:\d\d$/.test(to)) throw invalid(`window${i}`, 'both ends as HH:MM');
    windows.push({ from, to });
  }
  const pacing = Number(text(form, 'pacingPerMinute'));
  if (!Number.isInteger(pacing) || pacing < 1)
    throw invalid('pacingPerMinute', 'a whole number of vehicles, at least 1');
  return {
    name,
    kind,
    releaseIds: releaseIdsFrom(all(form, 'releaseIds')),
    vulnerabilityIds: ids(all(form, 'vulnerabilityIds'), 'vulnerabilityIds'),
    targetFilter: targetFilterFrom((n) => text(form, n)),
    installPolicy: {
      windows,
      preconditions: preconditionsFrom(all(form, 'preconditions')),
      driverConsentRequired: form.driverConsentRequired === 'on',
    },
    waves,
    pacingPerMinute: pacing,
  };
}
