import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { openSqliteStore } from './sqlite-gateway-store.js';
import type { StoreClock } from './sqlite-gateway-store.js';
import { describeCoordinationContract, describeGatewayStoreContract } from './testing/index.js';
import type { ContractStore } from './testing/index.js';

async function openContractStore(clock: StoreClock): Promise<ContractStore> {
  const dir = mkdtempSync(join(tmpdir(), 'shellgate-store-contract-'));
  const store = await openSqliteStore({ path: join(dir, 'gateway.db'), clock });
  return {
    store,
    async dispose(): Promise<void> {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describeGatewayStoreContract('SqliteGatewayStore', openContractStore);
describeCoordinationContract('SqliteGatewayStore', openContractStore);
