// The report's text formats: summary.md (pull-request comments), junit.xml (CI test reporters), and
// the escaping helpers every format uses. The model comes from src/report/build.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildReportModel } from '../../src/report/build.ts';
import { renderMarkdown } from '../../src/report/markdown.ts';
import { renderJunit } from '../../src/report/junit.ts';
import { escapeHtml, escapeMarkdown, escapeXml, jsonForScript } from '../../src/report/escape.ts';
import { plainArtilleryBundle, syntheticBundle, syntheticGate } from './fixtures.ts';
import { must } from '../results/fixtures.ts';

describe('renderMarkdown', () => {
  it('summarises verdict, breaches, regressions and the busiest endpoints', () => {
    const text = renderMarkdown(buildReportModel(syntheticBundle(), { gate: syntheticGate() }), { topEndpoints: 2 });
    assert.match(text, /^### Rampart: ❌ FAIL \(profile baseline, run 20261127-120000-baseline\)/);
    assert.match(text, /\*\*SLO breaches \(1 of 4 checks\)\*\*\n\n- POST \/api\/v1\/events\/batch p95: 57\.3 ms, budget ≤ 40\.0 ms/);
    assert.match(text, /\*\*Regressions against the baseline \(1\)\*\*\n\n- POST \/api\/v1\/events\/batch: SLOWER \+24\.0%/);
    assert.match(text, /\*\*Endpoints \(2 busiest of 4\)\*\*/);
    assert.match(text, /\*\*Security metrics\*\*: Correlation time p95 [\d,.]+ ms \(10 samples\); Detection latency p95 [\d,.]+ ms \(30 samples\); rampart\.detection\\_timeout: 2\n/);
    const rows = text.split('\n').filter((l) => l.startsWith('| GET') || l.startsWith('| POST'));
    assert.deepEqual(rows.map((r) => r.split(' | ')[0]), ['| GET /api/v1/alerts', '| GET /api/v1/alerts/:id']);
  });

  it('lists trust warnings', () => {
    const text = renderMarkdown(buildReportModel(syntheticBundle({ trustworthy: false })));
    assert.match(text, /⚠️ UNTRUSTWORTHY/);
    assert.match(text, /\*\*Trust warnings\*\*\n\n- send rate 68% of plan/);
  });

  it('keeps a hostile endpoint name inside its table cell and free of HTML', () => {
    const key = 'GET /a|b <img src=x onerror=alert(1)> `code` [link](http://x)';
    const text = renderMarkdown(buildReportModel(syntheticBundle({ endpoints: [{ key, perPeriod: 10, medianMs: 3 }] })));
    const row = must(text.split('\n').find((l) => l.startsWith('| GET')));
    assert.equal(row.split(/(?<!\\)\|/).length, 10, 'eight cells between the outer pipes');
    assert.ok(row.includes(escapeMarkdown(key)));
    assert.doesNotMatch(text, /<img/);
    assert.doesNotMatch(text, /(?<!\\)\]\(http/, 'no link survives');
  });

  it('notes a plain Artillery run', async () => {
    const text = renderMarkdown(buildReportModel(await plainArtilleryBundle()));
    assert.match(text, /NOT JUDGED/);
    assert.match(text, /> This bundle holds only Artillery’s own summaries/);
  });
});

describe('renderJunit', () => {
  it('has one test case per SLO check, with a failure for each breach', () => {
    const xml = renderJunit(buildReportModel(syntheticBundle(), { gate: syntheticGate() }));
    const slo = /<testsuite name="rampart\.slo" tests="(\d+)" failures="(\d+)"/.exec(xml);
    assert.deepEqual(slo?.slice(1), ['4', '1']);
    assert.match(xml, /<testcase classname="rampart\.slo\.POST \/api\/v1\/events\/batch" name="p95 ≤ 40\.0 ms" time="0">\n\s+<failure type="SloBreach" message="POST \/api\/v1\/events\/batch p95 is 57\.3 ms, budget ≤ 40\.0 ms">/);
    assert.match(xml, /<testcase classname="rampart\.slo\.whole run" name="minThroughput ≥ 50\.0 req\/s" time="0"\/>/);
    const baseline = /<testsuite name="rampart\.baseline" tests="(\d+)" failures="(\d+)" errors="0" skipped="(\d+)"/.exec(xml);
    assert.deepEqual(baseline?.slice(1), ['3', '1', '1']);
    assert.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="[^"]+" tests="8" failures="2" errors="0" skipped="1"/);
  });

  it('escapes names and drops characters XML cannot hold', () => {
    const scope = 'GET /x?a=1&b=<2> "q" \'s\' \u0001\u001b';
    const gate = syntheticGate({ slo: [{ scope, metric: 'p99', threshold: 5, actual: 9, unit: 'ms', passed: false }], comparisons: [] });
    const xml = renderJunit(buildReportModel(syntheticBundle(), { gate }));
    assert.ok(xml.includes('classname="rampart.slo.GET /x?a=1&amp;b=&lt;2&gt; &quot;q&quot; &apos;s&apos; \uFFFD\uFFFD"'));
    assert.doesNotMatch(xml, /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
    assert.doesNotMatch(xml, /&(?!amp;|lt;|gt;|quot;|apos;)/);
  });

  it('marks the SLO suite skipped without a gate result, and fails the run case when untrustworthy', () => {
    const xml = renderJunit(buildReportModel(syntheticBundle({ trustworthy: false })));
    assert.match(xml, /<skipped message="no gate result: run rampart gate/);
    assert.match(xml, /<failure type="Untrustworthy" message="send rate 68% of plan in 2 periods \(below 99%\)">/);
  });
});

describe('escaping helpers', () => {
  it('round-trip JSON through a script block without a closing tag', () => {
    const value = { name: '</script><!-- & \u2028 \u2029 -->' };
    const text = jsonForScript(value);
    assert.doesNotMatch(text, /<|>|&|\u2028|\u2029/);
    assert.deepEqual(JSON.parse(text), value);
  });

  it('escape HTML, XML and Markdown specials', () => {
    assert.equal(escapeHtml(`<a href="x" onclick='y'>&\``), '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&#96;');
    assert.equal(escapeXml('a\uD800b'), 'a\uFFFDb');
    assert.equal(escapeXml('😀'), '😀');
    assert.equal(escapeMarkdown('a|b *c* <d>\nnext'), 'a\\|b \\*c\\* &lt;d&gt; next');
  });
});
