// Issue 10's hostile-sandbox attacks on a real Docker engine, one suite per attack family,
// run one after another in this file on the shared engine. The engine comes from
// scripts/engines/docker.sh; without one, every suite fails (never skips).
import { registerHostileIsolationSuite } from './docker-isolation-suite.js';
import { registerHostileLogFloodSuite } from './docker-log-flood-suite.js';
import { registerHostileMountsSuite } from './docker-mounts-suite.js';
import { registerHostileTokenSuite } from './docker-token-suite.js';

registerHostileTokenSuite();
registerHostileMountsSuite();
registerHostileIsolationSuite();
registerHostileLogFloodSuite();
