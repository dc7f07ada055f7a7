// The baseline: a bare Fastify route returning fixed bytes (orghub's own answer, captured by the benchmark).
import Fastify from 'fastify';

const body = Buffer.from(process.env.BENCH_BODY_BASE64 ?? '', 'base64');
const contentType = process.env.BENCH_CONTENT_TYPE ?? 'application/json; charset=utf-8';

const app = Fastify({ logger: false });
app.get('/orgs/:org', (_request, reply) => {
  reply.header('content-type', contentType).send(body);
});
const url = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`bare route listening on ${url}\n`);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
