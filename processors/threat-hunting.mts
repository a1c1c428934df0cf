// scenarios/threat-hunting.yml: an analyst searches events over an hour to a week by free text,
// host, user, address and type, looks indicators up and imports a threat feed.
import { setJson } from './bodies.mts';
import { beforeRequest, step } from './hooks.mts';
import { faker, indicatorBatch, isoAgo, pick, pools } from './payloads.mts';
import { intVar } from './vars.mts';

/** Step: the hunt's time range and search values (vars huntFrom, huntTo, huntTerm, huntHost, ...). */
export const huntFilters = step((context) => {
  const hours = faker.helpers.arrayElement([1, 4, 24, 24 * 7]);
  Object.assign(context.vars, {
    huntFrom: isoAgo(hours * 3_600_000),
    huntTo: isoAgo(0),
    huntTerm: pick(pools.searchTerms),
    huntHost: pick(pools.hosts),
    huntUser: pick(pools.employees).username,
    huntIp: pick(pools.internalIps),
    huntType: pick(['auth', 'network', 'process', 'dns', 'file']),
    lookupValue: pick([pick(pools.domains), pick(pools.externalIps), `${faker.string.alpha({ length: 8, casing: 'lower' })}.duckdns.org`]),
  });
});

/** beforeRequest: a threat feed of `feedSize` indicators (default 200). */
export const setIndicatorFeed = beforeRequest((req, context) => {
  setJson(req, { indicators: indicatorBatch(intVar(context, 'feedSize', 200)) });
});
