import type { TargetFilter } from '../campaigns/types.ts';

/** VINs listed by name before the rest are only counted. */
const VINS_SHOWN = 5;

const list = (values: string[]) => values.join(', ');

/**
 * A campaign's target filter as sentences, one per condition ("Models: sedan-x"); an empty filter
 * reaches every active vehicle that needs the releases, which is said too.
 */
export function describeTargets(filter: TargetFilter): string[] {
  const lines: string[] = [];
  if (filter.modelIds?.length) lines.push(`Models: ${list(filter.modelIds)}`);
  const years = filter.modelYears;
  if (years && (years.from !== undefined || years.to !== undefined)) {
    if (years.from !== undefined && years.to !== undefined)
      lines.push(years.from === years.to ? `Model year ${years.from}` : `Model years ${years.from} to ${years.to}`);
    else if (years.from !== undefined) lines.push(`Model year ${years.from} or later`);
    else lines.push(`Model year ${years.to} or earlier`);
  }
  if (filter.regions?.length) lines.push(`Regions: ${list(filter.regions)}`);
  if (filter.hardwareIds?.length) lines.push(`ECUs with hardware id ${list(filter.hardwareIds)}`);
  if (filter.currentVersions?.length) lines.push(`Now running ${list(filter.currentVersions)}`);
  if (filter.tags?.length) lines.push(`Tagged ${list(filter.tags)}`);
  if (filter.vins?.length) {
    const shown = filter.vins.slice(0, VINS_SHOWN);
    const more = filter.vins.length - shown.length;
    lines.push(`Only the VINs ${list(shown)}${more > 0 ? ` and ${more} more` : ''}`);
  }
  if (lines.length === 0) lines.push('Every active vehicle that needs the releases');
  return lines;
}
