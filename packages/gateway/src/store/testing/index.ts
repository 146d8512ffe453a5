/** The store contract suite and its fixtures, for the per-store test files (not shipped). */
export { CuttableTcpProxy } from './cuttable-tcp-proxy.js';
export { describeCoordinationContract } from './coordination-contract.js';
export { describeGatewayStoreContract } from './gateway-store-contract.js';
export { TEST_POSTGRES_CA_FILE_ENV, TEST_POSTGRES_URL_ENV, createPostgresTestDatabase, testPostgresCaFile } from './postgres-test-database.js';
export type { PostgresTestDatabase } from './postgres-test-database.js';
export { CONTRACT_NOW_MS, makeRecord } from './store-contract-fixtures.js';
export type { ContractStore, OpenContractStore } from './store-contract-fixtures.js';
