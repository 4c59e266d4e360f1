import type { ProblemError } from '../http/problem.ts';
import { WAVE_COLUMNS } from './pages/campaign-form.tsx';

/** A refused campaign form: the form field to mark and the message naming it as the form labels it. */
export interface FormError {
  field: string | undefined;
  text: string;
}

const LABELS: Record<string, string> = {
  name: 'Name',
  kind: 'Kind',
  pacingPerMinute: 'Vehicles per minute',
  releaseIds: 'Releases',
  vulnerabilityIds: 'Vulnerabilities fixed',
  modelYearFrom: 'Model year from',
  modelYearTo: 'Model year to',
  preconditions: 'Preconditions',
  waves: 'Waves',
};

/** The service's JSON path of a wave field, by the form column it came from. */
const SERVICE_WAVE_FIELDS: Record<string, keyof typeof WAVE_COLUMNS> = {
  cumulativePercent: 'percent',
  successThreshold: 'success',
  errorThreshold: 'error',
  soakMinutes: 'soak',
};

/**
 * Where a refusal points in the form. The form reader names form fields (`wave1_percent`); the
 * service names its input's paths (`json.waves.1.cumulativePercent`, counting only the filled rows).
 */
function formField(path: string, waveRows: readonly number[]): string {
  const service = /^json\.waves\.(\d+)\.(\w+)$/.exec(path);
  if (service) {
    const row = waveRows[Number(service[1])] ?? Number(service[1]);
    return `wave${row}_${SERVICE_WAVE_FIELDS[service[2] ?? ''] ?? 'percent'}`;
  }
  return path.replace(/^json\./, '');
}

function labelOf(field: string, fromService: boolean): string {
  const wave = /^wave(\d+)_(\w+)$/.exec(field);
  if (wave) {
    const row = `Wave ${Number(wave[1]) + 1}`;
    // A rule about the wave as a whole (the service's) names the wave; a bad cell names its column too.
    return fromService ? row : `${row}, ${WAVE_COLUMNS[wave[2] as keyof typeof WAVE_COLUMNS] ?? wave[2]}`;
  }
  const window = /^window(\d+)$/.exec(field);
  if (window) return `Window ${Number(window[1]) + 1}`;
  return LABELS[field] ?? field;
}

export function formErrorOf(err: ProblemError, waveRows: readonly number[]): FormError {
  const first = (err.extensions.errors as { field: string; message: string }[] | undefined)?.[0];
  if (!first) return { field: undefined, text: err.message };
  const fromService = first.field.startsWith('json.');
  const field = formField(first.field, waveRows);
  return { field, text: `${labelOf(field, fromService)}: ${first.message}` };
}
