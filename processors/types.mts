// The parts of Artillery's processor interface Rampart's processors use (Artillery 2.0.34).
// Step functions: `async (context, events)`; request hooks: `async (req, context, events)` and
// `async (req, res, context, events)`; loop conditions: `(context, next)`; `ifTrue` conditions:
// `(vars) => boolean`. Artillery bundles these files unchecked; `npm run typecheck` checks them
// against these types.

export interface VuContext {
  vars: Record<string, unknown> & { target?: string; $uuid?: string };
}

export interface VuEvents {
  emit(type: 'counter' | 'histogram' | 'rate' | 'summary', name: string, value: number): boolean;
}

export interface RequestParams {
  url: string;
  name?: string;
  json?: unknown;
  body?: unknown;
  headers?: Record<string, string>;
  qs?: Record<string, string | number | boolean>;
}

export interface HttpResponse {
  statusCode: number;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

export type StepFunction = (context: VuContext, events: VuEvents) => Promise<void>;
export type BeforeRequest = (req: RequestParams, context: VuContext, events: VuEvents) => Promise<void>;
export type AfterResponse = (req: RequestParams, res: HttpResponse, context: VuContext, events: VuEvents) => Promise<void>;
export type LoopCondition = (context: VuContext, next: (again: boolean) => void) => void;
/** `ifTrue: <name>`: Artillery calls the processor function of that name with the virtual user's vars. */
export type Condition = (vars: Record<string, unknown>) => boolean;
