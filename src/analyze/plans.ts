// Reading a stored EXPLAIN (FORMAT JSON) plan: the scans that read a table through a filter, the
// sorts, and the columns a filter compares with a parameter (the candidates for an index). Pure.
// A generic plan (EXPLAIN GENERIC_PLAN) has estimates only, no actual row counts: how much a scan
// discards is judged with the statement's measured blocks and rows (./statements.ts).

/** A scan node that reads a table and filters what it reads. */
export interface FilteredScan {
  node: string; // 'Seq Scan', 'Index Scan', 'Bitmap Heap Scan', ...
  relation: string;
  /** the index it walks, when any */
  index: string | null;
  /** the index condition (what the index narrows), when any */
  indexCond: string | null;
  filter: string | null;
  /** columns the filter compares with a parameter ($1) or a constant by equality */
  filterColumns: string[];
  /** columns of the index condition */
  indexColumns: string[];
  planRows: number;
}

export interface PlanFacts {
  scans: FilteredScan[];
  sorts: { key: string[] }[];
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/**
 * Columns compared by equality in a condition's text, e.g. "((type = 'auth'::text) AND (username = $1))"
 * gives type, username; parameter comparisons first (the selective ones a caller varies).
 */
export function equalityColumns(condition: string | null): string[] {
  if (condition === null) return [];
  const withParameter: string[] = [];
  const withConstant: string[] = [];
  for (const match of condition.matchAll(/\(*\s*(?:\w+\.)?"?([a-z_][a-z0-9_]*)"?\s*=\s*(\$\d+|'[^']*'|\d+)/gi)) {
    const column = match[1];
    const target = match[2].startsWith('$') ? withParameter : withConstant;
    if (!withParameter.includes(column) && !withConstant.includes(column)) target.push(column);
  }
  return [...withParameter, ...withConstant];
}

/** Columns named in an index condition, in order ("(occurred_at >= ...) AND (occurred_at <= ...)" gives occurred_at). */
function conditionColumns(condition: string | null): string[] {
  if (condition === null) return [];
  const out: string[] = [];
  for (const match of condition.matchAll(/\(\s*(?:\w+\.)?"?([a-z_][a-z0-9_]*)"?\s*(?:=|<|>|<=|>=|~~|@>|&&)/gi)) {
    if (!out.includes(match[1])) out.push(match[1]);
  }
  return out;
}

const SCANS = new Set(['Seq Scan', 'Index Scan', 'Index Only Scan', 'Bitmap Heap Scan']);

/** The plan's filtered scans and sorts, depth first. A plan that is not EXPLAIN JSON gives none. */
export function planFacts(plan: unknown): PlanFacts {
  const facts: PlanFacts = { scans: [], sorts: [] };
  const visit = (node: unknown, depth: number): void => {
    if (!isObject(node) || depth > 64) return;
    const type = text(node['Node Type']) ?? '';
    const relation = text(node['Relation Name']);
    if (SCANS.has(type) && relation !== null) {
      const filter = text(node.Filter);
      // a bitmap heap scan's index condition sits on its Bitmap Index Scan child
      const children: unknown[] = Array.isArray(node.Plans) ? (node.Plans as unknown[]) : [];
      const child = children.find((p) => isObject(p) && p['Node Type'] === 'Bitmap Index Scan');
      const indexCond = text(node['Index Cond']) ?? text(node['Recheck Cond']) ?? (isObject(child) ? text(child['Index Cond']) : null);
      const index = text(node['Index Name']) ?? (isObject(child) ? text(child['Index Name']) : null);
      facts.scans.push({
        node: type, relation, index, indexCond, filter,
        filterColumns: equalityColumns(filter), indexColumns: conditionColumns(indexCond),
        planRows: typeof node['Plan Rows'] === 'number' ? node['Plan Rows'] : 0,
      });
    }
    if (type === 'Sort' || type === 'Incremental Sort') {
      const key = Array.isArray(node['Sort Key']) ? node['Sort Key'].filter((k): k is string => typeof k === 'string') : [];
      facts.sorts.push({ key });
    }
    if (Array.isArray(node.Plans)) for (const childNode of node.Plans as unknown[]) visit(childNode, depth + 1);
  };
  visit(plan, 0);
  return facts;
}

/**
 * The index a filtered scan asks for: the filter's equality columns that are not indexed already
 * (parameter comparisons first), then the columns the current index narrows by (a range), so the
 * new index serves both; null when the filter compares nothing by equality. pg_stat_statements
 * turns constants into parameters too, so which equality column is the most selective is not
 * known here: all of them lead, and the recommendation says to check the plan.
 */
export function suggestedIndex(scan: FilteredScan): string | null {
  const wanted = scan.filterColumns.filter((c) => !scan.indexColumns.includes(c));
  if (wanted.length === 0) return null;
  return `CREATE INDEX ON ${scan.relation} (${[...wanted, ...scan.indexColumns.filter((c) => !wanted.includes(c))].join(', ')})`;
}

/**
 * When no plan could be stored: the scan a statement's own text implies, from its first FROM table,
 * its `column = $n` comparisons (equality) and its BETWEEN / < / > comparisons (a range). Null when
 * the text compares nothing by equality.
 */
export function scanFromText(query: string): FilteredScan | null {
  const relation = /\bFROM\s+"?([a-z_][a-z0-9_.]*)"?/i.exec(query)?.[1];
  const where = /\bWHERE\b([\s\S]*?)(?:\bORDER\s+BY\b|\bGROUP\s+BY\b|\bLIMIT\b|$)/i.exec(query)?.[1] ?? null;
  if (relation === undefined || where === null) return null;
  const equality = equalityColumns(where);
  if (equality.length === 0) return null;
  const range: string[] = [];
  for (const m of where.matchAll(/(?:\w+\.)?"?([a-z_][a-z0-9_]*)"?\s+(?:BETWEEN\b|[<>]=?\s*\$)/gi)) if (!range.includes(m[1]) && !equality.includes(m[1])) range.push(m[1]);
  return { node: 'statement text', relation, index: null, indexCond: null, filter: where.trim(), filterColumns: equality, indexColumns: range, planRows: 0 };
}
