// Reading a virtual user's vars: the platform's URL, and numbers, strings and id lists with a
// fallback when a var is missing or of the wrong type (plain artillery runs set fewer of them).
import type { VuContext } from './types.mts';

/** The platform under load (config.target), without a trailing slash. */
export const targetOf = (context: VuContext): string => {
  const t = context.vars.target;
  if (typeof t !== 'string' || t === '') throw new Error('no target: set config.target (RAMPART_TARGET for plain artillery runs)');
  return t.replace(/\/+$/, '');
};

/** A positive whole number from vars[name], else `fallback`. */
export const intVar = (context: VuContext, name: string, fallback: number): number => {
  const n = Number(context.vars[name]);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : fallback;
};

/** vars[name] when it is a string, else `fallback`. */
export const stringVar = (context: VuContext, name: string, fallback: string): string => {
  const v = context.vars[name];
  return typeof v === 'string' ? v : fallback;
};

/** The numbers in the list vars[name] (an empty list when there is none). */
export const idsVar = (context: VuContext, name: string): number[] => {
  const v = context.vars[name];
  return Array.isArray(v) ? v.filter((id): id is number => typeof id === 'number') : [];
};
