import { RETRYABLE_VEHICLE_STATES } from '../campaigns/states.ts';
import { GROUP_COLOURS, GROUP_NAMES } from './campaign-view.ts';
import { RELEASE_SCRIPTS } from './release-scripts.ts';
import { VULNERABILITY_SCRIPTS } from './vulnerability-scripts.ts';

// The dashboard's only client code: three small scripts, plain ES2020, no framework. Pages work
// without them (forms post normally); they add live figures.

/** Assessment form: shows the score the backend computes for the vector as it is typed. */
const CVSS_SCORE = `
(() => {
  const input = document.getElementById('cvssVector');
  const out = document.getElementById('cvss-score');
  if (!input || !out) return;
  let timer = 0;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const res = await fetch('/ui/vulnerabilities/cvss-score?vector=' + encodeURIComponent(input.value.trim()));
      const body = await res.json();
      out.textContent = body.ok ? body.score.toFixed(1) + ' (' + body.severity + ')' : 'invalid: ' + body.error;
      input.setAttribute('aria-invalid', body.ok ? 'false' : 'true');
    }, 250);
  });
})();
`;

/** Campaign form: the number of vehicles the target filter matches, refreshed as the filter changes. */
const TARGET_COUNT = `
(() => {
  const form = document.getElementById('new-campaign');
  const out = document.getElementById('target-count');
  if (!form || !out) return;
  const fields = ['modelIds', 'modelYearFrom', 'modelYearTo', 'regions', 'hardwareIds', 'currentVersions', 'tags', 'vins'];
  let timer = 0;
  let seq = 0;
  const refresh = () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const mine = ++seq;
      const params = new URLSearchParams();
      for (const name of fields) {
        const el = form.elements.namedItem(name);
        if (el && el.value.trim()) params.set(name, el.value.trim());
      }
      for (const box of form.querySelectorAll('input[name=releaseIds]:checked')) params.append('releaseIds', box.value);
      const res = await fetch('/ui/campaigns/target-count?' + params.toString());
      const body = await res.json();
      if (mine !== seq) return;
      out.textContent = body.ok ? body.count + ' matching vehicles' : body.error;
    }, 200);
  };
  form.addEventListener('input', refresh);
  form.addEventListener('change', refresh);
  refresh();
})();
`;

/**
 * Campaign page: draws the state chart with uPlot and keeps the page current from the server-sent
 * events of /ui/campaigns/:id/live (figures, bars, chart, state badge).
 */
const CAMPAIGN_LIVE = `
(() => {
  const GROUPS = ${JSON.stringify(GROUP_NAMES)};
  const COLOURS = ${JSON.stringify(GROUP_COLOURS)};
  const RETRYABLE = ${JSON.stringify(RETRYABLE_VEHICLE_STATES)};
  const retryable = (snap) => RETRYABLE.reduce((n, s) => n + (snap.states[s] || 0), 0);
  const read = (id) => JSON.parse(document.getElementById(id).textContent);
  const timeline = read('timeline-data');
  const first = read('snapshot-data');
  const data = [timeline.times.slice(), ...GROUPS.map((g) => timeline.groups[g].slice())];
  const chartEl = document.getElementById('state-chart');
  let chart = null;
  if (window.uPlot && chartEl) {
    chart = new uPlot({
      width: Math.max(320, chartEl.clientWidth || 800),
      height: 260,
      series: [{}, ...GROUPS.map((g) => ({ label: g.replace('_', ' '), stroke: COLOURS[g], width: 2 }))],
      axes: [{}, { label: 'vehicles' }],
    }, data, chartEl);
    new ResizeObserver(() => chart.setSize({ width: Math.max(320, chartEl.clientWidth), height: 260 })).observe(chartEl);
  }
  const setBar = (root, groups) => {
    if (!root) return;
    const total = GROUPS.reduce((a, g) => a + groups[g], 0);
    for (const g of GROUPS) {
      const span = root.querySelector('[data-group="' + g + '"]');
      if (span) { span.style.width = (total ? (100 * groups[g]) / total : 0) + '%'; span.title = g + ': ' + groups[g]; }
    }
    const pct = total ? (100 * groups.succeeded) / total : 0;
    const text = root.querySelector('[data-progress-text]');
    if (text) text.textContent = (pct >= 10 || pct === 0 ? Math.round(pct) : pct.toFixed(1)) + ' % succeeded · ' + groups.failed + ' failed · ' + total + ' vehicles';
    const bar = root.querySelector('.bar');
    if (bar) bar.setAttribute('aria-label', GROUPS.map((g) => groups[g] + ' ' + g.replace('_', ' ')).join(', '));
  };
  // The banner and the actions follow the state: the server renders them for the new state.
  const panel = document.getElementById('campaign-panel');
  let shownState = first.state;
  let shownRetryable = retryable(first);
  let panelSeq = 0;
  const refreshPanel = async (snap) => {
    const mine = ++panelSeq;
    const res = await fetch(location.pathname + '/panel', { headers: { accept: 'text/html' } });
    if (!res.ok || mine !== panelSeq || !panel) return;
    panel.innerHTML = await res.text();
    shownState = snap.state;
    shownRetryable = retryable(snap);
  };
  const status = document.getElementById('live-status');
  const url = status && status.dataset.live;
  if (!url) return;
  const source = new EventSource(url);
  source.addEventListener('snapshot', (event) => {
    const snap = JSON.parse(event.data);
    for (const g of GROUPS) {
      const cell = document.querySelector('[data-group-count="' + g + '"]');
      if (cell) cell.textContent = String(snap.groups[g]);
    }
    setBar(document.getElementById('campaign-progress'), snap.groups);
    for (const w of snap.waves) setBar(document.querySelector('tr[data-wave="' + w.waveNo + '"] [data-progress]'), w.groups);
    for (const [state, n] of Object.entries(snap.states)) {
      const cell = document.querySelector('[data-state-count="' + state + '"]');
      if (cell) cell.textContent = String(n);
    }
    const badge = document.getElementById('campaign-state');
    badge.textContent = snap.state.replace(/_/g, ' ');
    badge.className = 'badge s-' + snap.state;
    if (snap.state !== shownState || retryable(snap) !== shownRetryable) void refreshPanel(snap);
    if (chart) {
      data[0].push(snap.at);
      GROUPS.forEach((g, i) => data[i + 1].push(snap.groups[g]));
      chart.setData(data);
    }
    status.textContent = 'live · updated ' + new Date(snap.at * 1000).toISOString().slice(11, 19) + ' UTC';
    if (snap.state === 'completed' || snap.state === 'cancelled') source.close();
  });
  source.onerror = () => { status.textContent = 'live updates interrupted; retrying'; };
})();
`;

export const CLIENT_SCRIPTS: Record<string, string> = {
  'cvss-score.js': CVSS_SCORE,
  'target-count.js': TARGET_COUNT,
  'campaign-live.js': CAMPAIGN_LIVE,
  ...RELEASE_SCRIPTS,
  ...VULNERABILITY_SCRIPTS,
};
