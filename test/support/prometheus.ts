// Reading one series out of a Prometheus text exposition (`GET /metrics`), for tests and benches.

/** The value of `series` (name and labels, as printed) in `text`; undefined when it is not there. */
export function seriesValue(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
