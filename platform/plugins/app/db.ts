// Service plugin: decorates app.db. A Db passed in by the caller stays the caller's to close;
// one created here from DATABASE_URL is closed when the app closes.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { createDb } from '../../db/pool.ts';
import type { Db } from '../../db/pool.ts';

export type DbPluginOptions = { db?: Db };

function dbPlugin(app: FastifyInstance, options: DbPluginOptions): void {
  let db = options.db;
  if (db === undefined) {
    if (app.config.databaseUrl === undefined) {
      throw new Error('no database: pass options.db to buildApp or set DATABASE_URL');
    }
    const created = createDb({
      connectionString: app.config.databaseUrl,
      max: app.config.dbPoolSize,
      onError: (error) => {
        app.log.warn({ err: error }, 'idle database connection failed');
      },
    });
    app.addHook('onClose', async () => created.close());
    db = created;
  }
  app.decorate('db', db);
}

export default fp(dbPlugin, { name: 'db', fastify: '5.x' });
