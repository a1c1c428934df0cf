// Domain service: app.sensorsRepository, the SQL on sensors (the admin's sensor management). A
// sensor's API key is stored as its SHA-256 only. Changes run in one transaction with their audit
// row (sensor.create, sensor.update). Methods answer `undefined` when the sensor does not exist.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { pageOf, type Page } from '../../../lib/pagination.ts';
import type { Principal } from '../../../types.ts';

type SensorRow = { id: string; name: string; disabled: boolean; created_at: Date; last_seen_at: Date | null };
const SENSOR_COLUMNS = 'id, name, disabled, created_at, last_seen_at';

const toSensor = (row: SensorRow) => ({
  id: Number(row.id),
  name: row.name,
  disabled: row.disabled,
  createdAt: row.created_at.toISOString(),
  lastSeenAt: row.last_seen_at === null ? null : row.last_seen_at.toISOString(),
});

export type Sensor = ReturnType<typeof toSensor>;
export type SensorChanges = { name?: string; disabled?: boolean };

function createSensorsRepository(app: FastifyInstance) {
  const db = app.db;
  return {
    /** Sensors after the id `afterId`, by id. */
    async list(limit: number, afterId: number): Promise<Page<Sensor>> {
      const { rows } = await db.query<SensorRow>(`SELECT ${SENSOR_COLUMNS} FROM sensors WHERE id > $1 ORDER BY id LIMIT $2`, [afterId, limit + 1]);
      return pageOf(rows, limit, toSensor, (row) => ({ id: Number(row.id) }));
    },

    async create(name: string, apiKeyHash: string, actor: Principal): Promise<Sensor> {
      return db.transaction(async (client) => {
        const { rows } = await client.query<SensorRow>(
          `INSERT INTO sensors (name, api_key_hash) VALUES ($1, $2) RETURNING ${SENSOR_COLUMNS}`,
          [name, apiKeyHash],
        );
        const created = toSensor(rows[0]);
        await app.audit({ actor, action: 'sensor.create', targetType: 'sensor', targetId: created.id, details: { name: created.name } }, client);
        return created;
      });
    },

    async update(sensorId: number, changes: SensorChanges, actor: Principal): Promise<Sensor | undefined> {
      return db.transaction(async (client) => {
        const { rows } = await client.query<SensorRow>(
          `UPDATE sensors SET name = COALESCE($2, name), disabled = COALESCE($3, disabled) WHERE id = $1 RETURNING ${SENSOR_COLUMNS}`,
          [sensorId, changes.name ?? null, changes.disabled ?? null],
        );
        if (rows.length === 0) return undefined;
        await app.audit({ actor, action: 'sensor.update', targetType: 'sensor', targetId: sensorId, details: { ...changes } }, client);
        return toSensor(rows[0]);
      });
    },
  };
}

export type SensorsRepository = ReturnType<typeof createSensorsRepository>;

declare module 'fastify' {
  interface FastifyInstance {
    sensorsRepository: SensorsRepository;
  }
}

export default fp(
  (app: FastifyInstance) => {
    app.decorate('sensorsRepository', createSensorsRepository(app));
  },
  { name: 'sensors-repository', fastify: '5.x', dependencies: ['db', 'audit'] },
);
