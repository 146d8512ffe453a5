import { openPostgresStore } from './postgres-gateway-store.js';
import type { StoreClock } from './sqlite-gateway-store.js';
import { createPostgresTestDatabase, describeCoordinationContract, describeGatewayStoreContract } from './testing/index.js';
import type { ContractStore } from './testing/index.js';

// Needs SHELLGATE_TEST_POSTGRES_URL (scripts/engines/postgres.sh); fails without it, never skips.
async function openContractStore(clock: StoreClock): Promise<ContractStore> {
  const database = await createPostgresTestDatabase();
  const store = await openPostgresStore({ url: database.url, clock, poolSize: 4 });
  return {
    store,
    openPeer: () => openPostgresStore({ url: database.url, clock, poolSize: 2 }),
    async dispose(): Promise<void> {
      await store.close();
      await database.drop();
    },
  };
}

describeGatewayStoreContract('PostgresGatewayStore', openContractStore);
describeCoordinationContract('PostgresGatewayStore', openContractStore);
