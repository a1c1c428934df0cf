// The head of every self-contained page Rampart writes (report.html, capacity.html, compare.html,
// the live page): no network at all; only the page's own inline scripts run, allowed by their
// hashes in the Content-Security-Policy, and its inline styles.
import { createHash } from 'node:crypto';
import { escapeHtml } from './escape.ts';

export interface PageHead {
  title: string;
  /** the command that wrote the page, e.g. 'rampart report' (absent: no generator meta) */
  generator?: string;
  /** the inline scripts the page will carry, exactly as written (none: no script may run) */
  scripts?: readonly string[];
  styles: readonly string[];
  /** more head elements, already escaped (e.g. the live page's refresh) */
  extra?: string;
}

const scriptHash = (code: string): string => `'sha256-${createHash('sha256').update(code, 'utf8').digest('base64')}'`;

/**
 * `<!doctype html>` up to and including `<body>`. Throws when a script or stylesheet could close its
 * own element once inlined verbatim.
 */
export function pageHead(page: PageHead): string {
  const scripts = page.scripts ?? [];
  for (const script of scripts) {
    if (/<\/script|<!--/i.test(script)) throw new Error('a script contains </script or <!--; it cannot be inlined');
  }
  for (const sheet of page.styles) {
    if (/<\/style/i.test(sheet)) throw new Error('a stylesheet contains </style; it cannot be inlined');
  }
  const policy = scripts.length === 0
    ? "default-src 'none'; style-src 'unsafe-inline'"
    : `default-src 'none'; script-src ${scripts.map(scriptHash).join(' ')}; style-src 'unsafe-inline'; img-src data:`;
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="${policy}">`,
    ...(page.generator === undefined ? [] : [`<meta name="generator" content="${escapeHtml(page.generator)}">`]),
    ...(page.extra === undefined || page.extra === '' ? [] : [page.extra]),
    `<title>${escapeHtml(page.title)}</title>`,
    ...page.styles.map((css) => `<style>${css}</style>`),
    '</head>',
    '<body>',
  ].join('\n');
}
