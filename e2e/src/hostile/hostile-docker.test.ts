// Issue 10's hostile-sandbox attacks on a real Docker engine, one suite per attack family,
// run one after another in this file. The engine comes from scripts/engines/docker.sh.
import { registerHostileIsolationSuite } from './docker-isolation-suite.js';
import { registerHostileMountsSuite } from './docker-mounts-suite.js';

registerHostileMountsSuite();
registerHostileIsolationSuite();
