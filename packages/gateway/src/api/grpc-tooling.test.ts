import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Server, ServerCredentials, credentials, loadPackageDefinition, type Client, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as HEALTH_PROTO } from 'grpc-health-check';
import { GrpcTooling } from './grpc-tooling.js';

interface HealthClient extends Client {
  check(request: { service: string }, callback: (error: ServiceError | null, response?: { status: string }) => void): void;
}
type HealthClientConstructor = new (address: string, creds: ReturnType<typeof credentials.createInsecure>) => HealthClient;

const healthPackage = loadPackageDefinition(loadSync(HEALTH_PROTO, { enums: String })) as unknown as { grpc: { health: { v1: { Health: HealthClientConstructor } } } };

async function withTooling(body: (tooling: GrpcTooling, check: (service: string) => Promise<string>) => Promise<void>): Promise<void> {
  const server = new Server();
  const tooling = new GrpcTooling();
  tooling.addAllTo(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error === null ? resolve(bound) : reject(error))),
  );
  const client = new healthPackage.grpc.health.v1.Health(`127.0.0.1:${port}`, credentials.createInsecure());
  const check = (service: string): Promise<string> =>
    new Promise((resolve) => client.check({ service }, (error, response) => resolve(error === null ? (response?.status ?? '') : `error ${error.code}`)));
  try {
    await body(tooling, check);
  } finally {
    client.close();
    server.forceShutdown();
  }
}

describe('GrpcTooling', () => {
  it('answers NOT_SERVING until the API is live, SERVING after, per service; an unknown service is NOT_FOUND', { timeout: 10_000 }, () =>
    withTooling(async (tooling, check) => {
      assert.equal(await check('openshell.v1.OpenShell'), 'NOT_SERVING');
      tooling.setServing(true);
      assert.equal(await check(''), 'SERVING');
      assert.equal(await check('openshell.v1.OpenShell'), 'SERVING');
      assert.equal(await check('shellgate.supervisor.v1.SupervisorSession'), 'SERVING');
      assert.equal(await check('openshell.v1.Nope'), 'error 5');
      tooling.setServing(false);
      assert.equal(await check(''), 'NOT_SERVING');
    }));
});
