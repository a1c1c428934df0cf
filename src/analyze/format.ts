// The findings as text for a terminal (pure: returns the string, the command prints it). Text from
// the bundle (endpoint keys, statements, error messages) has its control characters escaped, so a
// name cannot move the cursor or recolour the terminal.
import type { Evidence, Finding, FindingsFile } from './types.ts';

const safe = (text: string): string => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

const number = (value: number): string => (Number.isInteger(value) ? value.toLocaleString('en-US') : String(value));

function evidenceText(e: Evidence): string {
  const label = safe(e.label);
  if (e.unit === '%' || e.unit.startsWith('% ')) return `${label} ${number(e.value)}${e.unit}`;
  if (e.unit === 'count' || e.unit === 'p' || e.unit === 'ratio') return `${label} ${number(e.value)}`;
  return `${label} ${number(e.value)} ${e.unit}`;
}

export function shareText(f: Finding): string {
  return `${String(Math.round(f.share * 1000) / 10)}% of ${f.shareOf === 'run' ? 'the run' : f.shareOf}`;
}

export function formatFinding(f: Finding): string {
  const lines = [`${String(f.rank)}. ${f.rule} [${f.tier}]: ${shareText(f)}`, `   ${safe(f.subject)}`, `   ${safe(f.title)}`];
  lines.push(`   evidence: ${f.evidence.map(evidenceText).join('; ')}`);
  lines.push(`   do: ${safe(f.recommendation)}`);
  return lines.join('\n');
}

export function formatFindings(file: FindingsFile, top: number): string {
  const inputs = (['histograms', 'generator', 'resources', 'statements'] as const).filter((k) => file.inputs[k]);
  const head = [
    `rampart analyze: run ${safe(file.run)}: ${String(file.findings.length)} finding${file.findings.length === 1 ? '' : 's'}${file.findings.length > top ? `, the first ${String(top)} shown` : ''} (bottlenecks first, by share)`,
    `read: ${inputs.join(', ') || 'Artillery\'s output only'}`,
    ...file.inputs.missing.map((m) => `missing: ${safe(m)}`),
  ];
  if (file.findings.length === 0) return `${head.join('\n')}\n\nno finding: nothing in the bundle stood out (see docs/analysis.md for what each rule looks for)\n`;
  return `${head.join('\n')}\n\n${file.findings.slice(0, top).map(formatFinding).join('\n\n')}\n`;
}
