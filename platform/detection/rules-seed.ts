// The default detection rules, seeded in every preset (called by platform/db/seed/index.ts).
// Idempotent: a rule whose name already exists is left as it is (an admin may have tuned it).
import type { RuleKind, Severity } from '../domain/vocabulary.ts';
import { parseRuleParams } from './params.ts';

export type RuleDefinition = {
  name: string;
  description: string;
  kind: RuleKind;
  severity: Severity;
  technique: string;
  params: Record<string, unknown>;
};

export const DEFAULT_RULES: readonly RuleDefinition[] = [
  {
    name: 'Brute-force login',
    description: 'At least 10 failed sign-ins from one source IP within 5 minutes.',
    kind: 'brute_force',
    severity: 'high',
    technique: 'T1110',
    params: { threshold: 10, windowSeconds: 300 },
  },
  {
    name: 'Known-bad indicator',
    description: 'A source or destination IP, DNS domain or file hash equals a known threat-intel indicator.',
    kind: 'indicator_match',
    severity: 'high',
    technique: 'T1071',
    params: { fields: ['src_ip', 'dst_ip', 'domain', 'file_hash'] },
  },
  {
    name: 'Impossible travel',
    description: 'One user signs in successfully from two different countries within 60 minutes.',
    kind: 'impossible_travel',
    severity: 'high',
    technique: 'T1078',
    params: { windowMinutes: 60 },
  },
  {
    name: 'Credential dumping tool',
    description: 'mimikatz.exe runs on a host.',
    kind: 'pattern',
    severity: 'critical',
    technique: 'T1003',
    params: { field: 'process', op: 'equals', value: 'mimikatz.exe', eventType: 'process', groupBy: 'host' },
  },
  {
    name: 'Dynamic DNS domain',
    description: 'A host resolves a free dynamic-DNS domain, common for command and control.',
    kind: 'pattern',
    severity: 'medium',
    technique: 'T1568',
    params: { field: 'domain', op: 'ends_with', value: '.duckdns.org', eventType: 'dns', groupBy: 'host' },
  },
  {
    name: 'Encoded PowerShell command',
    description: 'PowerShell started with an encoded command line.',
    kind: 'pattern',
    severity: 'high',
    technique: 'T1059.001',
    params: { field: 'message', op: 'contains', value: '-encodedcommand', eventType: 'process', groupBy: 'host' },
  },
  {
    name: 'Event log cleared',
    description: 'wevtutil clears a Windows event log.',
    kind: 'pattern',
    severity: 'medium',
    technique: 'T1070.001',
    params: { field: 'message', op: 'contains', value: 'wevtutil cl', eventType: 'process', groupBy: 'host' },
  },
];

/** Anything with node-postgres' `query`: the Db, a pool client inside a transaction. */
export type Queryable = { query(text: string, params?: unknown[]): Promise<{ rowCount: number | null }> };

/** Inserts the default rules that do not exist yet (params stored normalised, defaults filled in); returns how many were inserted. */
export async function seedRules(db: Queryable): Promise<number> {
  let inserted = 0;
  for (const rule of DEFAULT_RULES) {
    const parsed = parseRuleParams(rule.kind, rule.params);
    if (!parsed.ok) throw new Error(`default rule ${rule.name} has bad params: ${parsed.message}`);
    const result = await db.query(
      `INSERT INTO rules (name, description, kind, severity, technique, params)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb)
       ON CONFLICT (name) DO NOTHING`,
      [rule.name, rule.description, rule.kind, rule.severity, rule.technique, JSON.stringify(parsed.value.params)],
    );
    inserted += result.rowCount ?? 0;
  }
  return inserted;
}
