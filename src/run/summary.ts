// The end-of-run summary printed by `rampart run` and `npm start` (pure: returns a string).
import type { ArtilleryOutput, ArtillerySummary, GeneratorFile, RunManifest } from '../results/types.ts';

const ENDPOINT_PREFIX = 'plugins.metrics-by-endpoint.response_time.';

function fmt(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '-';
  return n >= 100 ? String(Math.round(n)) : n.toFixed(1);
}

export interface SummaryInput {
  bundleDir: string;
  manifest: RunManifest;
  artillery: ArtilleryOutput | null;
  generator: GeneratorFile | null;
  reports: string[];
  verdict: string;
}

export function formatSummary(input: SummaryInput): string {
  const { manifest, artillery } = input;
  const lines: string[] = [];
  lines.push(`run ${manifest.runId}: profile ${manifest.profile}, flows ${manifest.flows.map((f) => `${f.name}×${f.weight}`).join(', ')}`);
  lines.push(`target ${manifest.target}, seed ${manifest.seed}${manifest.interrupted ? ', INTERRUPTED' : ''}`);
  if (artillery === null) {
    lines.push('Artillery wrote no results.');
  } else {
    const c = artillery.aggregate.counters;
    const s = artillery.aggregate.summaries;
    const errors = Object.entries(c).filter(([k]) => k.startsWith('errors.'));
    const codes = Object.entries(c).filter(([k]) => k.startsWith('http.codes.')).map(([k, v]) => `${k.slice(11)}: ${v}`);
    lines.push(
      `virtual users ${c['vusers.created'] ?? 0} created, ${c['vusers.completed'] ?? 0} completed, ${c['vusers.failed'] ?? 0} failed; ` +
        `requests ${c['http.requests'] ?? 0} (${codes.join(', ') || 'no responses'})`,
    );
    lines.push(`expectations ${c['plugins.expect.ok'] ?? 0} met, ${c['plugins.expect.failed'] ?? 0} failed`);
    if (errors.length > 0) lines.push(`errors: ${errors.map(([k, v]) => `${k.slice(7)} ×${v}`).join('; ')}`);
    const rt = s['http.response_time'];
    if (rt !== undefined) lines.push(`response time ms (Artillery, whole ms): p50 ${fmt(rt.median)}, p95 ${fmt(rt.p95)}, p99 ${fmt(rt.p99)}, max ${fmt(rt.max)}`);
    const custom: [string, string][] = [
      ['rampart.detection_latency', 'threat detection latency (client)'],
      ['rampart.detection_latency_server', 'threat detection latency (platform)'],
      ['rampart.correlation_time', 'alert correlation time (client)'],
      ['rampart.correlation_time_server', 'alert correlation time (platform)'],
      ['rampart.report_generation', 'report generation'],
    ];
    for (const [name, label] of custom) {
      const m: ArtillerySummary | undefined = s[name];
      if (m !== undefined) lines.push(`${label} ms: n ${m.count}, p50 ${fmt(m.median)}, p95 ${fmt(m.p95)}, max ${fmt(m.max)}`);
    }
    const endpoints = Object.entries(s)
      .filter(([k]) => k.startsWith(ENDPOINT_PREFIX))
      .map(([k, v]) => ({ key: k.slice(ENDPOINT_PREFIX.length), v }))
      .sort((a, b) => b.v.p95 - a.v.p95)
      .slice(0, 5);
    if (endpoints.length > 0) {
      lines.push('slowest endpoints by p95 (ms):');
      for (const e of endpoints) lines.push(`  ${e.key.padEnd(44)} n ${String(e.v.count).padStart(6)}  p95 ${fmt(e.v.p95).padStart(7)}  max ${fmt(e.v.max).padStart(7)}`);
    }
  }
  if (input.generator !== null && !input.generator.trust.trustworthy) {
    lines.push(`load generator: NOT trustworthy: ${input.generator.trust.reasons.join('; ')}`);
  }
  lines.push(`verdict: ${input.verdict}`);
  lines.push(`bundle: ${input.bundleDir}`);
  for (const r of input.reports) lines.push(`report: ${r}`);
  return `${lines.join('\n')}\n`;
}
