#!/usr/bin/env node
import { runPackageBin } from './run-package-bin.js';

await runPackageBin('@shellgate/gateway', 'shellgate-gateway');
