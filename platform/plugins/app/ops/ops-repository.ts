// Domain service: app.opsRepository, what the operations routes ask the database: whether it
// answers (readiness), bounded by a timeout so /ready answers even when the database hangs.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';

function createOpsRepository(app: FastifyInstance) {
  const db = app.db;
  return {
    /** True when `SELECT 1` succeeds within timeoutMs; false on error or timeout. */
    async databaseAnswers(timeoutMs: number): Promise<boolean> {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<false>((resolve) => {
        timer = setTimeout(() => {
          resolve(false);
        }, timeoutMs);
      });
      try {
        return await Promise.race([db.query('SELECT 1').then(() => true, () => false), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

export type OpsRepository = ReturnType<typeof createOpsRepository>;

declare module 'fastify' {
  interface FastifyInstance {
    opsRepository: OpsRepository;
  }
}

export default fp(
  (app: FastifyInstance) => {
    app.decorate('opsRepository', createOpsRepository(app));
  },
  { name: 'ops-repository', fastify: '5.x', dependencies: ['db'] },
);
