// The history seed's presets: how many rows of each kind, over how many days (docs/data.md).
export type HistoryPreset = 'small' | 'representative';

export interface HistorySize {
  events: number;
  alerts: number;
  indicators: number;
  incidents: number;
  comments: number;
  auditEntries: number;
  reports: number;
  /** Users in total after seeding; extra analysts are added up to this number (0: add none). */
  usersTotal: number;
  hosts: number;
  externalIps: number;
  internalIps: number;
  domains: number;
}

export const HISTORY_SIZES: Record<HistoryPreset, HistorySize> = {
  small: {
    events: 20_000, alerts: 1_000, indicators: 500, incidents: 10, comments: 200,
    auditEntries: 300, reports: 4, usersTotal: 0,
    hosts: 60, externalIps: 400, internalIps: 120, domains: 150,
  },
  representative: {
    events: 5_000_000, alerts: 200_000, indicators: 20_000, incidents: 2_000, comments: 40_000,
    auditEntries: 50_000, reports: 12, usersTotal: 500,
    hosts: 2_500, externalIps: 30_000, internalIps: 4_000, domains: 8_000,
  },
};

export const HISTORY_DAYS = 30;
