// The order ECUs are flashed in: every ECU after the ECUs it depends on, otherwise in the given order.
export class DependencyError extends Error {
  override readonly name = 'DependencyError';
}

export function dependencyOrder(targets: readonly { ecu: string; dependsOn: readonly string[] }[]): string[] {
  const names = new Set(targets.map((t) => t.ecu));
  for (const t of targets) {
    for (const d of t.dependsOn) {
      if (!names.has(d)) throw new DependencyError(`${t.ecu} depends on ${d}, which is not part of the update`);
    }
  }
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const byName = new Map(targets.map((t) => [t.ecu, t]));
  const visit = (name: string, path: string[]): void => {
    const s = state.get(name);
    if (s === 'done') return;
    if (s === 'visiting') throw new DependencyError(`dependency cycle: ${[...path, name].join(' -> ')}`);
    state.set(name, 'visiting');
    for (const d of byName.get(name)?.dependsOn ?? []) visit(d, [...path, name]);
    state.set(name, 'done');
    order.push(name);
  };
  for (const t of targets) visit(t.ecu, []);
  return order;
}
