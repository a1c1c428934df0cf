// The domain repositories, registered by platform/app.ts after the services they depend on (db,
// audit) and before the routes that use them. A new domain adds its `<domain>-repository.ts` here.
import type { FastifyPluginCallback } from 'fastify';
import alertsRepository from './alerts/alerts-repository.ts';
import analyticsRepository from './analytics/analytics-repository.ts';
import auditLogRepository from './audit-log/audit-log-repository.ts';
import dashboardRepository from './dashboard/dashboard-repository.ts';
import eventsRepository from './events/events-repository.ts';
import incidentsRepository from './incidents/incidents-repository.ts';
import indicatorsRepository from './indicators/indicators-repository.ts';
import opsRepository from './ops/ops-repository.ts';
import reportsRepository from './reports/reports-repository.ts';
import rulesRepository from './rules/rules-repository.ts';
import sensorsRepository from './sensors/sensors-repository.ts';
import sessionsRepository from './sessions/sessions-repository.ts';
import usersRepository from './users/users-repository.ts';

export const REPOSITORIES: readonly FastifyPluginCallback[] = [
  opsRepository,
  usersRepository,
  sessionsRepository,
  sensorsRepository,
  auditLogRepository,
  eventsRepository,
  alertsRepository,
  incidentsRepository,
  indicatorsRepository,
  rulesRepository,
  dashboardRepository,
  analyticsRepository,
  reportsRepository,
];
