// Service plugin (DETECT): decorates app.detection with the detection worker, starts it when the
// app is ready and stops it in onClose (waiting for a running pass) before the pool closes.
// Registered by platform/app.ts after the db and metrics services. Ingestion calls
// app.detection.wake() after each committed batch; the worker also polls as a safety net.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { DetectionWorker, type DetectionOptions } from './worker.ts';

export type DetectionPluginOptions = Partial<DetectionOptions>;

declare module 'fastify' {
  interface FastifyInstance {
    detection: DetectionWorker;
  }
}

function detectionPlugin(app: FastifyInstance, options: DetectionPluginOptions): void {
  const { detectionLatency, correlationTime } = app.metrics;
  const worker = new DetectionWorker(
    app.db,
    {
      detection: (rule, severity, seconds) => {
        detectionLatency.observe({ rule, severity }, seconds);
      },
      correlation: (seconds) => {
        correlationTime.observe(seconds);
      },
    },
    app.log.child({ component: 'detection' }),
    {
      setBased: app.config.optimizations.has('set-detection'),
      correlationWindowOnce: app.config.optimizations.has('correlation-window'),
      ...options,
    },
  );
  app.decorate('detection', worker);
  const cache = app.aggregateCache;
  if (cache !== null) {
    // Committed alerts (and the incidents correlation opened or grew) reach the dashboard and analytics.
    worker.onAlerts((notice) => {
      cache.changed('summary');
      cache.changed('alerts', notice.createdFrom, notice.createdTo);
      cache.changed('heatmap', notice.createdFrom, notice.createdTo);
    });
  }

  app.addHook('onReady', (done) => {
    worker.start();
    done();
  });
  app.addHook('onClose', async () => worker.stop());
}

export default fp(detectionPlugin, { name: 'detection', fastify: '5.x', dependencies: ['db', 'metrics'] });
