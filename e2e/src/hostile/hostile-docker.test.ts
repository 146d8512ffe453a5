// Every hostile-sandbox attack that needs the Docker engine, in one file, so node's runner
// runs the suites one after another on the shared engine. The engine comes from
// scripts/engines/docker.sh; without one, every suite fails (never skips).
import { registerHostileTokenSuite } from './docker-token-suite.js';

registerHostileTokenSuite();
