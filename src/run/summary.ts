// The end-of-run summary printed by `rampart run` and `npm start` (pure: returns a string).
// Latencies come from the bundle's analysis (src/results), like the report's: the plugin's exact µs
// histograms, or Artillery's whole-millisecond summaries for a run without them (the line says which).
// Custom metrics are named as the metric catalogue (src/core/metrics.ts) phrases them.
import { metricInfo } from '../core/metrics.ts';
import { analyzeBundle, type BundleAnalysis } from '../results/index.ts';
import type { GeneratorFile, LoadedBundle, RunManifest } from '../core/bundle/types.ts';

function fmt(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '-';
  return n >= 100 ? String(Math.round(n)) : n.toFixed(1);
}

export interface SummaryInput {
  bundleDir: string;
  manifest: RunManifest;
  /** null when Artillery wrote no results */
  bundle: LoadedBundle | null;
  /** the bundle's analysis when the caller already made it (the run hands the report's on) */
  analysis?: BundleAnalysis;
  generator: GeneratorFile | null;
  reports: string[];
  verdict: string;
}

export function formatSummary(input: SummaryInput): string {
  const { manifest, bundle } = input;
  const lines: string[] = [];
  lines.push(`run ${manifest.runId}: profile ${manifest.profile}, flows ${manifest.flows.map((f) => `${f.name}×${f.weight}`).join(', ')}`);
  lines.push(`target ${manifest.target}, seed ${manifest.seed}${manifest.interrupted ? ', INTERRUPTED' : ''}`);
  if (bundle === null) {
    lines.push('Artillery wrote no results.');
  } else {
    const c = bundle.artillery.aggregate.counters;
    const errors = Object.entries(c).filter(([k]) => k.startsWith('errors.'));
    const codes = Object.entries(c).filter(([k]) => k.startsWith('http.codes.')).map(([k, v]) => `${k.slice(11)}: ${v}`);
    lines.push(
      `virtual users ${c['vusers.created'] ?? 0} created, ${c['vusers.completed'] ?? 0} completed, ${c['vusers.failed'] ?? 0} failed; ` +
        `requests ${c['http.requests'] ?? 0} (${codes.join(', ') || 'no responses'})`,
    );
    lines.push(`expectations ${c['plugins.expect.ok'] ?? 0} met, ${c['plugins.expect.failed'] ?? 0} failed`);
    if (errors.length > 0) lines.push(`errors: ${errors.map(([k, v]) => `${k.slice(7)} ×${v}`).join('; ')}`);
    const analysis = input.analysis ?? analyzeBundle(bundle);
    const run = analysis.run.summary;
    const unit = run.source === 'histograms' ? 'ms (µs histograms)' : 'ms (Artillery, whole ms)';
    const rt = run.latencyMs;
    if (rt !== null) lines.push(`response time ${unit}: p50 ${fmt(rt.p50)}, p95 ${fmt(rt.p95)}, p99 ${fmt(rt.p99)}, max ${fmt(rt.max)}`);
    for (const metric of analysis.metrics) {
      const s = metric.stats;
      if (s === null) continue;
      lines.push(`${metricInfo(metric.name).phrase} ms: n ${s.count}, p50 ${fmt(s.p50)}, p95 ${fmt(s.p95)}, max ${fmt(s.max)}`);
    }
    const slowest = analysis.endpoints
      .map((e) => e.summary)
      .flatMap((e) => (e.latencyMs === null ? [] : [{ endpoint: e.endpoint, requests: e.requests, latency: e.latencyMs }]))
      .sort((a, b) => b.latency.p95 - a.latency.p95)
      .slice(0, 5);
    if (slowest.length > 0) {
      lines.push('slowest endpoints by p95 (ms):');
      for (const e of slowest) {
        lines.push(`  ${e.endpoint.padEnd(44)} n ${String(e.requests).padStart(6)}  p95 ${fmt(e.latency.p95).padStart(7)}  max ${fmt(e.latency.max).padStart(7)}`);
      }
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
