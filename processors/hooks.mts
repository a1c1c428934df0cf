// Steps and request hooks from synchronous bodies. Artillery awaits a `function:` step or a hook
// only when it is an async function (it tests the constructor's name); a plain function is handed a
// callback it must call, and a plain function that returns a Promise instead hangs the virtual user.
// So every step and hook a scenario names is async; these adapters let a body that has nothing to
// await be written as plain code. A body that throws fails the virtual user (errors.<message>).
import type { AfterResponse, BeforeRequest, HttpResponse, RequestParams, StepFunction, VuContext, VuEvents } from './types.mts';

/* eslint-disable @typescript-eslint/require-await -- `async` is the protocol here: Artillery awaits only AsyncFunction hooks (see above) */
export const step = (body: (context: VuContext, events: VuEvents) => void): StepFunction =>
  async (context, events) => {
    body(context, events);
  };

export const beforeRequest = (body: (req: RequestParams, context: VuContext, events: VuEvents) => void): BeforeRequest =>
  async (req, context, events) => {
    body(req, context, events);
  };

export const afterResponse = (body: (req: RequestParams, res: HttpResponse, context: VuContext, events: VuEvents) => void): AfterResponse =>
  async (req, res, context, events) => {
    body(req, res, context, events);
  };
/* eslint-enable @typescript-eslint/require-await */
